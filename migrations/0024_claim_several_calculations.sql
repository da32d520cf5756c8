-- Claims of several calculations in one round trip, for agents that have several free slots: as
-- claim_calculation (0023), deciding nothing. CalculationLifecycle says the states a claim takes a
-- calculation from and to, CalculationPolicy.runningLimit how many of the cluster may run at once
-- (NULL: no limit), and the agent how many it can take (wanted). This takes at most that many, best
-- first, each read with FOR UPDATE SKIP LOCKED so that concurrent claimers never get the same one
-- nor wait for each other, and answers with their rows (none when there is nothing to do).
-- The claimed ids are collected in a temporary table of the connection's own.
-- The one-at-a-time procedure goes: a claim of one is a claim of up to one.
DROP PROCEDURE IF EXISTS claim_calculation;
DROP PROCEDURE IF EXISTS claim_calculations;
CREATE PROCEDURE claim_calculations(IN wanted_cluster BIGINT UNSIGNED, IN running_limit INT UNSIGNED, IN wanted INT UNSIGNED,
                                    IN from_state VARCHAR(32), IN to_state VARCHAR(32))
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
BEGIN
    DECLARE claimed BIGINT UNSIGNED DEFAULT NULL;
    DECLARE running INT UNSIGNED DEFAULT 0;
    DECLARE locked BIGINT UNSIGNED DEFAULT NULL;
    DECLARE taken INT UNSIGNED DEFAULT 0;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET claimed = NULL;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;

    CREATE TEMPORARY TABLE IF NOT EXISTS claimed_now (id BIGINT UNSIGNED PRIMARY KEY) ENGINE = MEMORY;
    DELETE FROM claimed_now;
    START TRANSACTION;
    IF running_limit IS NOT NULL THEN
        SELECT id INTO locked FROM clusters WHERE id = wanted_cluster FOR UPDATE;
        SELECT COUNT(*) INTO running FROM calculations WHERE cluster_id = wanted_cluster AND state = to_state;
        SET wanted = IF(running >= running_limit, 0, LEAST(wanted, running_limit - running));
    END IF;
    claiming: WHILE taken < wanted DO
        SET claimed = NULL;
        SELECT id INTO claimed FROM calculations
        WHERE cluster_id = wanted_cluster AND processed = 0 AND approved = 1 AND state = from_state
        ORDER BY priority DESC, created_at, id
        LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF claimed IS NULL THEN
            LEAVE claiming;
        END IF;
        UPDATE calculations SET processed = 1, state = to_state, state_reason = NULL, started_at = CURRENT_TIMESTAMP(6)
        WHERE id = claimed;
        INSERT INTO claimed_now (id) VALUES (claimed);
        SET taken = taken + 1;
    END WHILE;
    COMMIT;
    -- Every column, best first: the API reads the rows by name.
    SELECT c.* FROM calculations c JOIN claimed_now n ON n.id = c.id ORDER BY c.priority DESC, c.created_at, c.id;
END
