-- Mails are kept for mail_retention_days (sent, failed, or never sent when no relay is configured),
-- then removed by the maintenance job in batches, oldest first.
ALTER TABLE outbox ADD KEY outbox_created (created_at);
