-- The claim in one round trip, deciding nothing: CalculationLifecycle says which state a claim takes a
-- calculation from and to, and CalculationPolicy.runningLimit how many of a cluster may run at once
-- (NULL: no limit). This checks both and applies them, as 0010 did with the rules written in it:
--   * with a limit, claims of one cluster queue on the cluster's row, so that the count holds while
--     one is taken;
--   * the best claimable calculation (approved, in from_state, not yet processed; priority descending,
--     then oldest) is read with FOR UPDATE SKIP LOCKED, so that concurrent claimers each take a
--     different one and never wait for each other;
--   * it moves to to_state in the same transaction, its reason cleared and its start time set.
-- It answers with the claimed calculation's row, or with no row when there is nothing to do.
DROP PROCEDURE IF EXISTS claim_calculation;
CREATE PROCEDURE claim_calculation(IN wanted_cluster BIGINT UNSIGNED, IN running_limit INT UNSIGNED,
                                   IN from_state VARCHAR(32), IN to_state VARCHAR(32))
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
    IF running_limit IS NOT NULL THEN
        SELECT id INTO locked FROM clusters WHERE id = wanted_cluster FOR UPDATE;
        SELECT COUNT(*) INTO running FROM calculations WHERE cluster_id = wanted_cluster AND state = to_state;
    END IF;
    IF running_limit IS NULL OR running < running_limit THEN
        SELECT id INTO claimed FROM calculations
        WHERE cluster_id = wanted_cluster AND processed = 0 AND approved = 1 AND state = from_state
        ORDER BY priority DESC, created_at, id
        LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF claimed IS NOT NULL THEN
            UPDATE calculations SET processed = 1, state = to_state, state_reason = NULL, started_at = CURRENT_TIMESTAMP(6)
            WHERE id = claimed;
        END IF;
    END IF;
    COMMIT;
    -- Every column: the API reads the row by name.
    SELECT * FROM calculations WHERE id = claimed;
END
