-- A claim sent again gets the same calculations. An agent whose claim's answer was lost (the API
-- host died after the commit, the network dropped it) sends it again with the same claim_id; the
-- calculations that claim took carry it, and are answered again instead of new ones being taken
-- while the first stay running with no one to run them. As 0024, deciding nothing.
ALTER TABLE calculations ADD COLUMN claim_token VARCHAR(64) NULL, ADD INDEX calculations_claim_token (claim_token);

DROP PROCEDURE IF EXISTS claim_calculations;
CREATE PROCEDURE claim_calculations(IN wanted_cluster BIGINT UNSIGNED, IN running_limit INT UNSIGNED, IN wanted INT UNSIGNED,
                                    IN token VARCHAR(64), IN from_state VARCHAR(32), IN to_state VARCHAR(32))
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
            UPDATE calculations SET processed = 1, state = to_state, state_reason = NULL, started_at = CURRENT_TIMESTAMP(6), claim_token = token
            WHERE id = claimed;
            INSERT INTO claimed_now (id) VALUES (claimed);
            SET taken = taken + 1;
        END WHILE;
        COMMIT;
    END IF;
    -- Every column, best first: the API reads the rows by name.
    SELECT c.* FROM calculations c JOIN claimed_now n ON n.id = c.id ORDER BY c.priority DESC, c.created_at, c.id;
END
