-- Heartbeats are the most written table: one index fewer makes every insert cheaper. Rollups and
-- retention now walk each cluster's (cluster_id, recorded_at) range instead of a global time index.
ALTER TABLE heartbeats DROP INDEX heartbeats_time;
