-- The database refuses a state no code path writes: each state column accepts exactly the
-- codes of its domain type (lingshi-domain: OrderState, PensionStatus, IdentityState,
-- StaffRole; the job states of storage::jobs). A contract test holds the lists together.
ALTER TABLE orders ADD CONSTRAINT orders_state_known CHECK (state IN (
    'draft', 'pending_payment', 'under_review', 'supplement_required', 'interview_required', 'interview_booked',
    'rejected', 'awaiting_production', 'ready_for_pickup', 'completed', 'withdrawn', 'deleted'));
ALTER TABLE order_events ADD CONSTRAINT order_events_state_known CHECK (state IN (
    'draft', 'pending_payment', 'under_review', 'supplement_required', 'interview_required', 'interview_booked',
    'rejected', 'awaiting_production', 'ready_for_pickup', 'completed', 'withdrawn', 'deleted'));
ALTER TABLE pensions ADD CONSTRAINT pensions_status_known CHECK (status IN (
    'draft', 'submitted', 'pushed', 'approved', 'not_approved', 'failed'));
ALTER TABLE accounts ADD CONSTRAINT accounts_identity_state_known CHECK (identity_state IN (
    'unverified', 'awaiting_face', 'verified', 'face_skipped'));
ALTER TABLE staff ADD CONSTRAINT staff_role_known CHECK (role IN (
    'reviewer', 'issuer', 'cashier', 'mission_admin', 'system_admin'));
ALTER TABLE jobs ADD CONSTRAINT jobs_state_known CHECK (state IN ('pending', 'running', 'done', 'dead'));
