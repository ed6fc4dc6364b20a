-- One outbox relay at a time across all instances (docs/architecture.md "Events", ordering): a relay batch
-- first locks this row (FOR UPDATE SKIP LOCKED); a relay that finds it taken skips its round. The holder reads
-- the oldest rows in seq order without row locks and without a per-key check against other relays: with a
-- single reader a key's events leave in seq order by construction. The lock ends with the batch transaction
-- (commit, rollback, or the connection of a killed instance closing).
CREATE TABLE outbox_relay_lock (
    id  INT PRIMARY KEY
);
INSERT INTO outbox_relay_lock (id) VALUES (1);

-- It served only the per-key check of concurrent relays; every outbox insert paid one more index entry for it.
DROP INDEX ix_outbox_events_key;
