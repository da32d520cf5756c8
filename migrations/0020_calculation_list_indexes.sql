-- Every filter of the dashboard's calculation list pages by id through an index: engine alone, and
-- state alone (calculations_state leads with state but puts cluster_id before the id).
ALTER TABLE calculations ADD KEY calculations_engine (engine, id), ADD KEY calculations_state_id (state, id);
