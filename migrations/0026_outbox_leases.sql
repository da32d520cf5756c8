-- A mail is taken by one API host for a while (a lease, committed) before it goes out, then marked
-- sent. A row lock held while sending, as before, holds only on the Galera node that took it: two
-- hosts on two nodes could both send one mail. A host killed mid-send leaves the row to be taken
-- again once its lease has passed (the Message-ID stays the same).
ALTER TABLE outbox ADD COLUMN claimed_by VARCHAR(160) NULL, ADD COLUMN claimed_until DATETIME(6) NULL;
