-- The calculation list sorts by name and by priority as well as by id: each order, with the id that
-- breaks its ties, reads from an index instead of sorting the table.
ALTER TABLE calculations ADD KEY calculations_name_order (name, id), ADD KEY calculations_priority_order (priority, id);
