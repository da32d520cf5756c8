-- Invocation records are kept for invocation_retention_days, then removed by the maintenance job in
-- batches, oldest first.
ALTER TABLE model_invocations ADD KEY model_invocations_created (created_at);
