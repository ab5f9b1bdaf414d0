-- How an applicant is told of their orders: by their login address, by a mobile number
-- they added and confirmed with a code (any country; sealed to the account, shown masked),
-- or both. Codes always go to the login address.
ALTER TABLE accounts ADD COLUMN notify_mobile BLOB;
ALTER TABLE accounts ADD COLUMN notify_mobile_masked TEXT;
ALTER TABLE accounts ADD COLUMN notify_via TEXT NOT NULL DEFAULT 'login';
