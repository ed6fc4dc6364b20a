-- Sync engine. Portable between PostgreSQL and H2 (MODE=PostgreSQL): JSON as VARCHAR text.

-- Which instance runs a sync and when it last proved alive: a run whose heartbeat is stale is
-- taken over by any instance and resumed from its checkpoint. resume_after delays a run (daily quota).
ALTER TABLE sync_runs ADD COLUMN owner VARCHAR(128);
ALTER TABLE sync_runs ADD COLUMN heartbeat_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE sync_runs ADD COLUMN resume_after TIMESTAMP WITH TIME ZONE;
ALTER TABLE sync_runs ADD COLUMN reason VARCHAR(64);
ALTER TABLE sync_runs ADD COLUMN pages BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN message VARCHAR(2000);
CREATE INDEX ix_sync_runs_status ON sync_runs (status, heartbeat_at);

-- At most one queued or running run per connection and entity, across all instances: the primary
-- key refuses a second lock row (works the same on PostgreSQL and H2, unlike partial indexes).
CREATE TABLE sync_locks (
    connection_id   UUID NOT NULL REFERENCES connections (id),
    entity          VARCHAR(64) NOT NULL,
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    run_id          UUID NOT NULL REFERENCES sync_runs (id),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (connection_id, entity)
);

-- Where the next incremental run starts: the provider's cursor, delta token or modifiedSince.
CREATE TABLE sync_cursors (
    connection_id   UUID NOT NULL REFERENCES connections (id),
    entity          VARCHAR(64) NOT NULL,
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    cursor_value    VARCHAR NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (connection_id, entity)
);

CREATE INDEX ix_records_seen ON records (connection_id, model, last_seen_at);

-- A local object pushed to a provider: the provider id, its version/ETag and the hash last pushed.
CREATE TABLE record_links (
    id                  UUID PRIMARY KEY,
    tenant_id           UUID NOT NULL REFERENCES tenants (id),
    connection_id       UUID NOT NULL REFERENCES connections (id),
    model               VARCHAR(64) NOT NULL,
    local_ref           VARCHAR(512) NOT NULL,
    external_id         VARCHAR(512),
    version             VARCHAR(512),
    last_pushed_hash    VARCHAR(64),
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX ux_record_links_local ON record_links (connection_id, model, local_ref);
CREATE INDEX ix_record_links_external ON record_links (connection_id, model, external_id);

-- Both versions of a record changed on both sides since the last sync, and what the policy did.
CREATE TABLE conflicts (
    id                  UUID PRIMARY KEY,
    tenant_id           UUID NOT NULL REFERENCES tenants (id),
    connection_id       UUID NOT NULL REFERENCES connections (id),
    model               VARCHAR(64) NOT NULL,
    external_id         VARCHAR(512) NOT NULL,
    local_ref           VARCHAR(512),
    local_data          VARCHAR NOT NULL,
    remote_data         VARCHAR NOT NULL,
    policy              VARCHAR(32) NOT NULL,
    status              VARCHAR(16) NOT NULL,
    resolution          VARCHAR(16),
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    resolved_at         TIMESTAMP WITH TIME ZONE
);
CREATE INDEX ix_conflicts_connection ON conflicts (connection_id, status, created_at);

-- Idempotency-Key of actions: the first request's body hash and result are kept and replayed.
CREATE TABLE idempotency_keys (
    connection_id       UUID NOT NULL REFERENCES connections (id),
    idem_key            VARCHAR(255) NOT NULL,
    tenant_id           UUID NOT NULL REFERENCES tenants (id),
    action              VARCHAR(64) NOT NULL,
    request_hash        VARCHAR(64) NOT NULL,
    status              VARCHAR(16) NOT NULL,
    response_status     INTEGER,
    response_body       VARCHAR,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (connection_id, idem_key)
);
