-- A page route's own measure of how far a run got (0..1), e.g. the share of a date range already covered
-- (Square's sales backfill): shown by GET /syncs/{id} as `progress` beside the record counts.
ALTER TABLE sync_runs ADD COLUMN progress DOUBLE PRECISION;
