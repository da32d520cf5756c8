-- A calculation's progress is its latest event's that carried one (see CalculationRecord.progressColumn):
-- a progress report then writes one row instead of two. The copies on calculations go.
ALTER TABLE calculations DROP COLUMN progress_done, DROP COLUMN progress_total;
