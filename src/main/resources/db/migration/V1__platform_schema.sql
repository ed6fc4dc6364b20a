-- Platform schema. Portable between PostgreSQL (tests, production) and H2 (zero-setup default run):
-- JSON documents are kept as VARCHAR text, secrets only as BYTEA ciphertext.

CREATE TABLE tenants (
    id          UUID PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX ux_tenants_name ON tenants (name);

-- API keys are stored as SHA-256 hashes; the key itself is shown once at creation.
CREATE TABLE api_keys (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id),
    key_hash    VARCHAR(64) NOT NULL,
    key_prefix  VARCHAR(16) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (key_hash);

CREATE TABLE connections (
    id             UUID PRIMARY KEY,
    tenant_id      UUID NOT NULL REFERENCES tenants (id),
    provider       VARCHAR(64) NOT NULL,
    name           VARCHAR(200) NOT NULL,
    status         VARCHAR(32) NOT NULL,
    account_id     VARCHAR(255),
    account_name   VARCHAR(255),
    account_email  VARCHAR(320),
    scopes         VARCHAR NOT NULL DEFAULT '[]',
    config         VARCHAR NOT NULL DEFAULT '{}',
    return_url     VARCHAR(2048),
    last_sync_at   TIMESTAMP WITH TIME ZONE,
    last_error     VARCHAR(2000),
    error_count    INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_connections_tenant ON connections (tenant_id, created_at);

-- Credentials: ciphertext only (key id + nonce + AES-GCM output, see the vault), one row per connection.
CREATE TABLE credentials (
    connection_id        UUID PRIMARY KEY REFERENCES connections (id),
    tenant_id            UUID NOT NULL REFERENCES tenants (id),
    access_token_ct      BYTEA,
    refresh_token_ct     BYTEA,
    api_key_ct           BYTEA,
    token_type           VARCHAR(32),
    expires_at           TIMESTAMP WITH TIME ZONE,
    refresh_expires_at   TIMESTAMP WITH TIME ZONE,
    key_id               VARCHAR(64),
    version              BIGINT NOT NULL DEFAULT 0,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL
);

-- OAuth authorization states: stored hashed, single use, short-lived, bound to tenant and connection.
CREATE TABLE oauth_states (
    state_hash          VARCHAR(64) PRIMARY KEY,
    tenant_id           UUID NOT NULL REFERENCES tenants (id),
    connection_id       UUID NOT NULL REFERENCES connections (id),
    provider            VARCHAR(64) NOT NULL,
    code_verifier_ct    BYTEA,
    return_url          VARCHAR(2048),
    expires_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at             TIMESTAMP WITH TIME ZONE,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE sync_runs (
    id                  UUID PRIMARY KEY,
    tenant_id           UUID NOT NULL REFERENCES tenants (id),
    connection_id       UUID NOT NULL REFERENCES connections (id),
    entity              VARCHAR(64) NOT NULL,
    direction           VARCHAR(8) NOT NULL,
    mode                VARCHAR(16) NOT NULL,
    status              VARCHAR(16) NOT NULL,
    range_from          TIMESTAMP WITH TIME ZONE,
    range_to            TIMESTAMP WITH TIME ZONE,
    records_processed   BIGINT NOT NULL DEFAULT 0,
    records_total       BIGINT,
    created_count       BIGINT NOT NULL DEFAULT 0,
    updated_count       BIGINT NOT NULL DEFAULT 0,
    deleted_count       BIGINT NOT NULL DEFAULT 0,
    errors              VARCHAR NOT NULL DEFAULT '[]',
    checkpoint          VARCHAR,
    cancel_requested    BOOLEAN NOT NULL DEFAULT FALSE,
    started_at          TIMESTAMP WITH TIME ZONE,
    completed_at        TIMESTAMP WITH TIME ZONE,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_sync_runs_connection ON sync_runs (connection_id, created_at);

CREATE TABLE records (
    id                  UUID PRIMARY KEY,
    tenant_id           UUID NOT NULL REFERENCES tenants (id),
    connection_id       UUID NOT NULL REFERENCES connections (id),
    model               VARCHAR(64) NOT NULL,
    external_id         VARCHAR(512) NOT NULL,
    data                VARCHAR NOT NULL,
    content_hash        VARCHAR(64) NOT NULL,
    remote_updated_at   TIMESTAMP WITH TIME ZONE,
    deleted             BOOLEAN NOT NULL DEFAULT FALSE,
    last_seen_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX ux_records_key ON records (connection_id, model, external_id);
CREATE INDEX ix_records_modified ON records (connection_id, model, updated_at);

CREATE TABLE webhook_events (
    id                  UUID PRIMARY KEY,
    tenant_id           UUID REFERENCES tenants (id),
    connection_id       UUID REFERENCES connections (id),
    provider            VARCHAR(64) NOT NULL,
    dedupe_key          VARCHAR(255) NOT NULL,
    event_type          VARCHAR(255),
    status              VARCHAR(16) NOT NULL,
    payload             VARCHAR NOT NULL,
    headers             VARCHAR NOT NULL DEFAULT '{}',
    error               VARCHAR(2000),
    attempts            INTEGER NOT NULL DEFAULT 0,
    received_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    processed_at        TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX ux_webhook_events_dedupe ON webhook_events (provider, dedupe_key);
CREATE INDEX ix_webhook_events_tenant ON webhook_events (tenant_id, received_at);

-- Dead letters keep the original message (body, headers without secrets), the failure and the route id.
-- No foreign keys: a dead letter must be storable whatever the failed message claimed to belong to.
CREATE TABLE dead_letters (
    id                  UUID PRIMARY KEY,
    tenant_id           UUID,
    connection_id       UUID,
    route_id            VARCHAR(255),
    endpoint_uri        VARCHAR(2048),
    source_type         VARCHAR(64),
    source_id           VARCHAR(255),
    exception_type      VARCHAR(512),
    exception_message   VARCHAR(4000),
    body                VARCHAR,
    headers             VARCHAR NOT NULL DEFAULT '{}',
    status              VARCHAR(16) NOT NULL,
    replay_count        INTEGER NOT NULL DEFAULT 0,
    replayed_at         TIMESTAMP WITH TIME ZONE,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_dead_letters_tenant ON dead_letters (tenant_id, created_at);
