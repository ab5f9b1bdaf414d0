-- The predicted completion dates read each mission's recent submissions, supplement answers
-- and readiness from the order timeline by event and time.
CREATE INDEX order_events_by_event ON order_events (event, at);
