-- A legalization's check code is sealed under the master key (compared after opening)
-- instead of kept as a keyed hash: a hash cannot be carried over to a new key, a sealed value
-- can. Rows registered before keep their hash until they are registered again.
CREATE TABLE legalizations_sealed (
    certificate_no TEXT PRIMARY KEY,
    mission_id TEXT NOT NULL REFERENCES missions (id),
    check_code BLOB,
    check_code_hash BLOB,
    document_type TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    holder_masked TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (check_code IS NOT NULL OR check_code_hash IS NOT NULL)
);
INSERT INTO legalizations_sealed (certificate_no, mission_id, check_code_hash, document_type, issued_on,
    holder_masked, staff_id, created_at)
SELECT certificate_no, mission_id, check_code_hash, document_type, issued_on, holder_masked, staff_id, created_at
FROM legalizations;
DROP TABLE legalizations;
ALTER TABLE legalizations_sealed RENAME TO legalizations;
