-- The staff queue at millions of orders: its first page walks one index in submission order
-- (whatever the filters), and the count of each state is kept as orders change (triggers),
-- not counted again on every page.
CREATE INDEX orders_queue ON orders (mission_id, submitted_at, id);

CREATE TABLE order_state_counts (
    mission_id TEXT NOT NULL,
    state TEXT NOT NULL,
    orders INTEGER NOT NULL,
    PRIMARY KEY (mission_id, state)
);
INSERT INTO order_state_counts (mission_id, state, orders)
SELECT mission_id, state, COUNT(*) FROM orders GROUP BY mission_id, state;

CREATE TRIGGER orders_counted_when_made AFTER INSERT ON orders
BEGIN
    INSERT OR IGNORE INTO order_state_counts (mission_id, state, orders) VALUES (NEW.mission_id, NEW.state, 0);
    UPDATE order_state_counts SET orders = orders + 1 WHERE mission_id = NEW.mission_id AND state = NEW.state;
END;

CREATE TRIGGER orders_counted_when_changed AFTER UPDATE OF state, mission_id ON orders
WHEN OLD.state <> NEW.state OR OLD.mission_id <> NEW.mission_id
BEGIN
    UPDATE order_state_counts SET orders = orders - 1 WHERE mission_id = OLD.mission_id AND state = OLD.state;
    INSERT OR IGNORE INTO order_state_counts (mission_id, state, orders) VALUES (NEW.mission_id, NEW.state, 0);
    UPDATE order_state_counts SET orders = orders + 1 WHERE mission_id = NEW.mission_id AND state = NEW.state;
END;

CREATE TRIGGER orders_counted_when_gone AFTER DELETE ON orders
BEGIN
    UPDATE order_state_counts SET orders = orders - 1 WHERE mission_id = OLD.mission_id AND state = OLD.state;
END;
