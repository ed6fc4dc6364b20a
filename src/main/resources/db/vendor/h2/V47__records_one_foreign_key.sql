-- PostgreSQL's V47 replaces records' two foreign keys by one composite key (tenant_id, connection_id) ->
-- connections (tenant_id, id) and makes the outbox's event index partial (faster page inserts). H2 gets the same
-- rule: a record's tenant is its connection's tenant. Its two older keys stay (H2 named them itself, and its checks
-- are in-memory index lookups), and so does the full event index (H2 has no partial indexes).
ALTER TABLE connections ADD CONSTRAINT ux_connections_tenant_id UNIQUE (tenant_id, id);
ALTER TABLE records ADD CONSTRAINT fk_records_connection_tenant
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id);
