-- Keyset pages at a constant cost (docs/performance.md, "Round of 2026-12-07, thirteenth session"). The lists of webhook events, dead letters, host webhook
-- deliveries and records page by (time, id) and now ask for the rows after the cursor as one row comparison,
-- (received_at, id) < (:at, :id), which an index over (…, time, id) answers as a range: the page's rows are read
-- and nothing before them. The former condition, time < :at OR (time = :at AND id < :id), was read as two ranges
-- and sorted: each page read every row older than its cursor, so paging through a tenant's 55,000 webhook events
-- took 100 ms of the database per page at the end, about 30 s in all (bench/webhooks, thirteenth session).
DROP INDEX ix_webhook_events_tenant;
CREATE INDEX ix_webhook_events_tenant ON webhook_events (tenant_id, received_at, id);
DROP INDEX ix_webhook_events_tenant_status;
CREATE INDEX ix_webhook_events_tenant_status ON webhook_events (tenant_id, status, received_at, id);
DROP INDEX ix_dead_letters_tenant;
CREATE INDEX ix_dead_letters_tenant ON dead_letters (tenant_id, created_at, id);
DROP INDEX ix_webhook_deliveries_endpoint;
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at, id);
DROP INDEX ix_records_modified;
CREATE INDEX ix_records_modified ON records (connection_id, model, updated_at, id);
