-- A calculation keeps the structure of its molecule as it was when the calculation was created or
-- last edited: the claim sends this copy, so that editing the molecule later never changes what an
-- approved calculation runs. NULL for calculations without a molecule (and for those created
-- before this migration, which fall back to the molecule as it is).
ALTER TABLE calculations ADD COLUMN molecule_structure MEDIUMTEXT NULL AFTER molecule_id;

-- Sign-in failures are counted per email and address together (SignInThrottle). An attempt refused
-- by the throttle is kept (it counts toward the ceilings) but does not lengthen its own delay: a
-- person who retries during the wait is not punished for it.
ALTER TABLE login_failures ADD COLUMN refused TINYINT(1) NOT NULL DEFAULT 0;
CREATE INDEX login_failures_pair ON login_failures (email, address, refused, created_at);
