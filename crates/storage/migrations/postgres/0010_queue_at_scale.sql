-- The staff queue at millions of orders: its first page walks one index in submission order
-- (whatever the filters), and the count of each state is kept as orders change (triggers),
-- not counted again on every page.
CREATE INDEX orders_queue ON orders (mission_id, submitted_at, id);

CREATE TABLE order_state_counts (
    mission_id TEXT NOT NULL,
    state TEXT NOT NULL,
    orders BIGINT NOT NULL,
    PRIMARY KEY (mission_id, state)
);
INSERT INTO order_state_counts (mission_id, state, orders)
SELECT mission_id, state, COUNT(*) FROM orders GROUP BY mission_id, state;

CREATE FUNCTION count_order_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE order_state_counts SET orders = orders - 1 WHERE mission_id = OLD.mission_id AND state = OLD.state;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO order_state_counts (mission_id, state, orders) VALUES (NEW.mission_id, NEW.state, 1)
        ON CONFLICT (mission_id, state) DO UPDATE SET orders = order_state_counts.orders + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER orders_counted_when_made_or_gone AFTER INSERT OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION count_order_states();
CREATE TRIGGER orders_counted_when_changed AFTER UPDATE OF state, mission_id ON orders
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.mission_id IS DISTINCT FROM NEW.mission_id)
    EXECUTE FUNCTION count_order_states();
