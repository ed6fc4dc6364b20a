-- records pages are filled to half (fillfactor 50): every pull rewrites each record it reads (last_seen_at, for the
-- sweep after a full run, OneDrive's restart sweep and the API's lastSeenAt), and PostgreSQL can make that a HOT
-- update (new row version on the same page, no entry in any of the table's indexes) only where the page has room.
-- With full pages every "seen" update of an unchanged record moved the row to another page and inserted into the
-- primary key, ux_records_key, ix_records_modified (and the email search index): measured on 100,000 records of
-- ~300 bytes in pages of 1,000, 3.4 s for the "seen" upserts at fillfactor 100, 1.3-1.4 s at 50 (all HOT), 1.5-2.0 s
-- at 60, 1.9-2.4 s at 70 (docs/performance.md). The price is disk: up to twice the heap pages of a packed table.
-- Only pages written from now on are kept half full; VACUUM FULL records (or pg_repack) rewrites existing ones.
ALTER TABLE records SET (fillfactor = 50);
