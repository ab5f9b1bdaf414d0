-- An e-mail login a delivery report (bounce) said cannot be reached: the status code the
-- report gave and when. The applicant is asked to add a mobile for notices; staff see it on
-- the applicant's orders.
ALTER TABLE accounts ADD COLUMN mail_failing TEXT;
ALTER TABLE accounts ADD COLUMN mail_failing_at TEXT;
