-- A legalization's check code is sealed under the master key (compared after opening)
-- instead of kept as a keyed hash: a hash cannot be carried over to a new key, a sealed value
-- can. Rows registered before keep their hash until they are registered again.
ALTER TABLE legalizations ADD COLUMN check_code BYTEA;
ALTER TABLE legalizations ALTER COLUMN check_code_hash DROP NOT NULL;
ALTER TABLE legalizations ADD CONSTRAINT legalizations_check_code_kept
    CHECK (check_code IS NOT NULL OR check_code_hash IS NOT NULL);
