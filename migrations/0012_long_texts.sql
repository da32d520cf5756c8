-- Texts the API accepts at their longest must fit: a 100,000-character message or note, or a
-- 20,000-character description, takes up to four bytes a character in utf8mb4, beyond TEXT's
-- 65,535 bytes. MEDIUMTEXT holds 16 MiB.
ALTER TABLE calculation_events MODIFY message MEDIUMTEXT NOT NULL;
ALTER TABLE logs MODIFY message MEDIUMTEXT NOT NULL;
ALTER TABLE molecules MODIFY notes MEDIUMTEXT NOT NULL;
ALTER TABLE calculations MODIFY description MEDIUMTEXT NOT NULL;
