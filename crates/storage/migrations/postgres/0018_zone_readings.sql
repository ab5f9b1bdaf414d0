-- What the zone reader made of a current passport's data page (material 1 of a renewal):
-- the machine-readable zone's fields, or why it could not be read. Sealed: it holds the
-- passport's number, names and birth date.
ALTER TABLE order_files ADD COLUMN reading BYTEA;
