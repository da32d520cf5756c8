-- The claim in one round trip. POST /agent/claim calls this instead of sending its transaction's
-- statements one at a time: the agent protocol's busiest write then costs one exchange with the
-- server instead of four. The rules are those of the statements it replaces:
--   * with a max_running throttle, claims of one cluster queue on the cluster's row, so that the
--     count of running calculations holds while one is taken;
--   * the best claimable calculation (approved, queued, not yet processed; priority descending,
--     then oldest) is read with FOR UPDATE SKIP LOCKED, so that concurrent claimers each take a
--     different one and never wait for each other;
--   * it becomes running in the same transaction.
-- It answers with the claimed calculation's row, or with no row when there is nothing to do. It runs
-- with the caller's privileges (SQL SECURITY INVOKER): it needs no account but the API's own.
CREATE PROCEDURE claim_calculation(IN wanted_cluster BIGINT UNSIGNED, IN max_running INT UNSIGNED)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
BEGIN
    DECLARE claimed BIGINT UNSIGNED DEFAULT NULL;
    DECLARE running INT UNSIGNED DEFAULT 0;
    DECLARE locked BIGINT UNSIGNED DEFAULT NULL;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET claimed = NULL;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;

    START TRANSACTION;
    IF max_running > 0 THEN
        SELECT id INTO locked FROM clusters WHERE id = wanted_cluster FOR UPDATE;
        SELECT COUNT(*) INTO running FROM calculations WHERE cluster_id = wanted_cluster AND state = 'running';
    END IF;
    IF max_running = 0 OR running < max_running THEN
        SELECT id INTO claimed FROM calculations
        WHERE cluster_id = wanted_cluster AND processed = 0 AND approved = 1 AND state = 'queued'
        ORDER BY priority DESC, created_at, id
        LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF claimed IS NOT NULL THEN
            UPDATE calculations SET processed = 1, state = 'running', state_reason = NULL, started_at = CURRENT_TIMESTAMP(6)
            WHERE id = claimed;
        END IF;
    END IF;
    COMMIT;
    -- Every column: the API reads the row by name.
    SELECT * FROM calculations WHERE id = claimed;
END
