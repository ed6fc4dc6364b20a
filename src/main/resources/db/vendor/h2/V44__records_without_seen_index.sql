-- ix_records_seen (connection_id, model, last_seen_at) is dropped: every pull moves last_seen_at of every record it
-- reads, so the index cost each page write an index entry per record (and kept a "seen" update from being a HOT
-- update on PostgreSQL), while only the sweep after a full run and OneDrive's restart sweep read it. The sweep now
-- walks the connection's records along the unique key (connection_id, model, external_id) instead
-- (RecordStore.sweepUnseen). In db/vendor/{postgresql,h2} because V44 is this change's only version number.
DROP INDEX IF EXISTS ix_records_seen;
