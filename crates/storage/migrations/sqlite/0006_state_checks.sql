-- The database refuses a state no code path writes: each state column accepts exactly the
-- codes of its domain type (lingshi-domain: OrderState, PensionStatus, IdentityState,
-- StaffRole; the job states of storage::jobs). A contract test holds the lists together.
-- SQLite cannot add a CHECK to an existing table, so each column gets the same rule as a
-- pair of triggers (on insert and on update of the column).
CREATE TRIGGER orders_state_known_on_insert BEFORE INSERT ON orders
WHEN NEW.state NOT IN (
    'draft', 'pending_payment', 'under_review', 'supplement_required', 'interview_required', 'interview_booked',
    'rejected', 'awaiting_production', 'ready_for_pickup', 'completed', 'withdrawn', 'deleted')
BEGIN SELECT RAISE(ABORT, 'orders.state unknown'); END;
CREATE TRIGGER orders_state_known_on_update BEFORE UPDATE OF state ON orders
WHEN NEW.state NOT IN (
    'draft', 'pending_payment', 'under_review', 'supplement_required', 'interview_required', 'interview_booked',
    'rejected', 'awaiting_production', 'ready_for_pickup', 'completed', 'withdrawn', 'deleted')
BEGIN SELECT RAISE(ABORT, 'orders.state unknown'); END;
CREATE TRIGGER order_events_state_known_on_insert BEFORE INSERT ON order_events
WHEN NEW.state NOT IN (
    'draft', 'pending_payment', 'under_review', 'supplement_required', 'interview_required', 'interview_booked',
    'rejected', 'awaiting_production', 'ready_for_pickup', 'completed', 'withdrawn', 'deleted')
BEGIN SELECT RAISE(ABORT, 'order_events.state unknown'); END;
CREATE TRIGGER order_events_state_known_on_update BEFORE UPDATE OF state ON order_events
WHEN NEW.state NOT IN (
    'draft', 'pending_payment', 'under_review', 'supplement_required', 'interview_required', 'interview_booked',
    'rejected', 'awaiting_production', 'ready_for_pickup', 'completed', 'withdrawn', 'deleted')
BEGIN SELECT RAISE(ABORT, 'order_events.state unknown'); END;
CREATE TRIGGER pensions_status_known_on_insert BEFORE INSERT ON pensions
WHEN NEW.status NOT IN (
    'draft', 'submitted', 'pushed', 'approved', 'not_approved', 'failed')
BEGIN SELECT RAISE(ABORT, 'pensions.status unknown'); END;
CREATE TRIGGER pensions_status_known_on_update BEFORE UPDATE OF status ON pensions
WHEN NEW.status NOT IN (
    'draft', 'submitted', 'pushed', 'approved', 'not_approved', 'failed')
BEGIN SELECT RAISE(ABORT, 'pensions.status unknown'); END;
CREATE TRIGGER accounts_identity_state_known_on_insert BEFORE INSERT ON accounts
WHEN NEW.identity_state NOT IN (
    'unverified', 'awaiting_face', 'verified', 'face_skipped')
BEGIN SELECT RAISE(ABORT, 'accounts.identity_state unknown'); END;
CREATE TRIGGER accounts_identity_state_known_on_update BEFORE UPDATE OF identity_state ON accounts
WHEN NEW.identity_state NOT IN (
    'unverified', 'awaiting_face', 'verified', 'face_skipped')
BEGIN SELECT RAISE(ABORT, 'accounts.identity_state unknown'); END;
CREATE TRIGGER staff_role_known_on_insert BEFORE INSERT ON staff
WHEN NEW.role NOT IN (
    'reviewer', 'issuer', 'cashier', 'mission_admin', 'system_admin')
BEGIN SELECT RAISE(ABORT, 'staff.role unknown'); END;
CREATE TRIGGER staff_role_known_on_update BEFORE UPDATE OF role ON staff
WHEN NEW.role NOT IN (
    'reviewer', 'issuer', 'cashier', 'mission_admin', 'system_admin')
BEGIN SELECT RAISE(ABORT, 'staff.role unknown'); END;
CREATE TRIGGER jobs_state_known_on_insert BEFORE INSERT ON jobs
WHEN NEW.state NOT IN (
    'pending', 'running', 'done', 'dead')
BEGIN SELECT RAISE(ABORT, 'jobs.state unknown'); END;
CREATE TRIGGER jobs_state_known_on_update BEFORE UPDATE OF state ON jobs
WHEN NEW.state NOT IN (
    'pending', 'running', 'done', 'dead')
BEGIN SELECT RAISE(ABORT, 'jobs.state unknown'); END;
