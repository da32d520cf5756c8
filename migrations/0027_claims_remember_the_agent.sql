-- Which agent took a calculation: the key it claimed with. A cluster may have several agents (one key
-- each); a heartbeat speaks only for its own agent, so the calculations it does not list are checked
-- against that agent's claims alone, never against another agent's of the same cluster. As 0025,
-- deciding nothing: the API passes the claimant along with what the lifecycle decided.
ALTER TABLE calculations ADD COLUMN claimed_key_id BIGINT UNSIGNED NULL;

DROP PROCEDURE IF EXISTS claim_calculations;
CREATE PROCEDURE claim_calculations(IN wanted_cluster BIGINT UNSIGNED, IN running_limit INT UNSIGNED, IN wanted INT UNSIGNED,
                                    IN token VARCHAR(64), IN claimant BIGINT UNSIGNED, IN from_state VARCHAR(32), IN to_state VARCHAR(32))
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
    IF token IS NOT NULL THEN
        INSERT INTO claimed_now (id) SELECT id FROM calculations WHERE claim_token = token AND cluster_id = wanted_cluster;
        SELECT COUNT(*) INTO taken FROM claimed_now;
    END IF;
    IF taken = 0 THEN
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
            UPDATE calculations SET processed = 1, state = to_state, state_reason = NULL, started_at = CURRENT_TIMESTAMP(6), claim_token = token, claimed_key_id = claimant
            WHERE id = claimed;
            INSERT INTO claimed_now (id) VALUES (claimed);
            SET taken = taken + 1;
        END WHILE;
        COMMIT;
    END IF;
    -- Every column, best first: the API reads the rows by name.
    SELECT c.* FROM calculations c JOIN claimed_now n ON n.id = c.id ORDER BY c.priority DESC, c.created_at, c.id;
END
