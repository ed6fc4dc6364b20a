-- A pull request (webhook hint, schedule) that arrives while a run of the same entity is already running
-- cannot be folded into it (the run may have read past the change): the lock remembers it, and the run
-- queues one follow-up incremental run when it ends.
ALTER TABLE sync_locks ADD COLUMN rerun_requested BOOLEAN DEFAULT FALSE NOT NULL;
