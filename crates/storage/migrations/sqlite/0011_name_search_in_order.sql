-- A search by name takes a page of the namesakes in submission order, from the index.
DROP INDEX orders_by_name;
DROP INDEX orders_by_pinyin;
CREATE INDEX orders_by_name ON orders (name_index, submitted_at, id);
CREATE INDEX orders_by_pinyin ON orders (pinyin_index, submitted_at, id);
