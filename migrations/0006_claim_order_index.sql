-- The claim reads this cluster's queued calculations in the claim's own order (priority descending,
-- then oldest), so that `LIMIT 1 FOR UPDATE SKIP LOCKED` stops at the first free row. With a
-- filesort instead, every claimer locked every queued row and the others found none free.
ALTER TABLE calculations
    DROP INDEX calculations_claim,
    ADD INDEX calculations_claim (cluster_id, processed, approved, state, priority DESC, created_at, id);
