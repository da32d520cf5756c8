-- Mails about calculations that wait for one person in a burst go out as one digest (an outbox row
-- of kind 'digest'); each mail it holds is marked sent with its digest's id.
ALTER TABLE outbox
    ADD COLUMN digest_id BIGINT UNSIGNED NULL,
    -- A person's waiting mails, counted and taken when the sender decides on a digest.
    ADD KEY outbox_recipient_due (recipient, sent_at, failed_at),
    -- A person's last digest.
    ADD KEY outbox_recipient_kind (recipient, kind, created_at);
