-- A page of a pull inserts up to 1,000 records in one statement, and PostgreSQL checks every foreign key of every
-- inserted row with a query of its own (a row-level trigger). records had two, tenant_id -> tenants and
-- connection_id -> connections: two lookups and two row locks per record. One composite key, (tenant_id,
-- connection_id) -> connections (tenant_id, id), says more (a record's tenant is its connection's tenant; the
-- connection's own key makes the tenant exist) with one lookup: measured on 100,000 records upserted in pages of
-- 1,000, 1.74 s with the two keys, 1.35 s with the composite one, 1.05-1.13 s with none (docs/performance.md).
ALTER TABLE connections ADD CONSTRAINT ux_connections_tenant_id UNIQUE (tenant_id, id);
ALTER TABLE records ADD CONSTRAINT fk_records_connection_tenant
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id);
ALTER TABLE records DROP CONSTRAINT records_tenant_id_fkey;
ALTER TABLE records DROP CONSTRAINT records_connection_id_fkey;

-- ix_outbox_events_event serves one query: the webhook recovery's "is this event still waiting in the outbox"
-- (WebhookEventStore.stalledQueued), which only asks about webhook hand-offs (topics hub.webhooks.<provider>).
-- Every other event (a sync page's 1,000 change events) paid an index entry for nothing: 0.35-0.49 s against
-- 0.52-0.58 s per 100,000 outbox inserts without and with it. Partial: only the rows that query looks for.
DROP INDEX ix_outbox_events_event;
CREATE INDEX ix_outbox_events_webhook ON outbox_events (event_id) WHERE topic LIKE 'hub.webhooks.%';
