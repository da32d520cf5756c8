-- An agent's report of a state (POST /agent/calculations/{id}/events with "state") in one round trip.
-- The API reads the calculation, lets CalculationLifecycle decide what the report changes and who is
-- mailed, then calls this with that decision and the state it decided from. Here, in one transaction:
--   * the calculation's row is locked and its state compared with the one the decision was made from;
--     if it moved meanwhile, nothing is written and the answer is 'stale' (the API decides again);
--   * the event is inserted once per (calculation, seq); a repeated seq writes nothing: 'replay';
--   * the new state, when there is one, is written with the mails to the outbox: 'applied'.
-- The mails are one message to each address of mail_recipients, a JSON array of strings.
CREATE PROCEDURE apply_calculation_report(
    IN calculation BIGINT UNSIGNED,
    IN expected_state VARCHAR(32),
    IN expected_reason VARCHAR(2000),
    IN event_seq BIGINT UNSIGNED,
    IN event_state VARCHAR(32),
    IN event_step VARCHAR(100),
    IN event_level VARCHAR(8),
    IN event_message MEDIUMTEXT,
    IN event_progress_done INT UNSIGNED,
    IN event_progress_total INT UNSIGNED,
    IN new_state VARCHAR(32),
    IN new_reason VARCHAR(2000),
    IN new_state_is_final BOOLEAN,
    IN mail_kind VARCHAR(32),
    IN mail_recipients LONGTEXT,
    IN mail_subject VARCHAR(500),
    IN mail_text MEDIUMTEXT,
    IN mail_html MEDIUMTEXT)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
BEGIN
    DECLARE current_state VARCHAR(32) DEFAULT NULL;
    DECLARE current_reason VARCHAR(2000) DEFAULT NULL;
    DECLARE located BOOLEAN DEFAULT TRUE;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET located = FALSE;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;

    START TRANSACTION;
    SELECT state, state_reason INTO current_state, current_reason FROM calculations WHERE id = calculation FOR UPDATE;
    IF NOT located OR NOT (current_state <=> expected_state AND current_reason <=> expected_reason) THEN
        ROLLBACK;
        SELECT 'stale' AS outcome;
    ELSE
        INSERT IGNORE INTO calculation_events (calculation_id, seq, state, step, level, message, progress_done, progress_total)
        VALUES (calculation, event_seq, event_state, event_step, event_level, event_message, event_progress_done, event_progress_total);
        IF ROW_COUNT() = 0 THEN
            ROLLBACK;
            SELECT 'replay' AS outcome;
        ELSE
            IF new_state IS NOT NULL THEN
                UPDATE calculations
                SET state = new_state, state_reason = new_reason,
                    cancel_requested = IF(new_state_is_final, 0, cancel_requested),
                    finished_at = IF(new_state_is_final, CURRENT_TIMESTAMP(6), NULL)
                WHERE id = calculation;
            END IF;
            IF mail_kind IS NOT NULL THEN
                INSERT INTO outbox (kind, calculation_id, recipient, subject, text_body, html_body)
                SELECT mail_kind, calculation, recipient.address, mail_subject, mail_text, mail_html
                FROM JSON_TABLE(mail_recipients, '$[*]' COLUMNS (address VARCHAR(254) PATH '$')) AS recipient;
            END IF;
            COMMIT;
            SELECT 'applied' AS outcome;
        END IF;
    END IF;
END
