-- Webhook pipeline: inbox bookkeeping on webhook_events, and the provider subscriptions/channels
-- the hub keeps alive per connection. Portable between PostgreSQL and H2 (MODE=PostgreSQL).

-- dedupe_key is "<connection id | account:<provider account> | none>:<provider event id or stable hash>",
-- so the existing unique (provider, dedupe_key) index makes an event unique per connection.
ALTER TABLE webhook_events ADD COLUMN external_event_id VARCHAR(255);
ALTER TABLE webhook_events ADD COLUMN account_id VARCHAR(255);
-- How many times a consumer started processing the row (1 for every event processed exactly once).
ALTER TABLE webhook_events ADD COLUMN delivery_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhook_events ADD COLUMN queued_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE webhook_events ADD COLUMN claimed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE webhook_events ADD COLUMN handler VARCHAR(255);
CREATE INDEX ix_webhook_events_status ON webhook_events (status, received_at);
CREATE INDEX ix_webhook_events_tenant_status ON webhook_events (tenant_id, status, received_at);

-- Provider subscriptions (Microsoft Graph) and push channels (Google Drive) per connection.
-- The client state / channel token is kept only as ciphertext (see SubscriptionSecrets).
CREATE TABLE provider_subscriptions (
    id                  UUID PRIMARY KEY,
    tenant_id           UUID NOT NULL REFERENCES tenants (id),
    connection_id       UUID NOT NULL REFERENCES connections (id),
    provider            VARCHAR(64) NOT NULL,
    kind                VARCHAR(32) NOT NULL,
    external_id         VARCHAR(255),
    resource            VARCHAR(1024) NOT NULL,
    resource_id         VARCHAR(255),
    change_type         VARCHAR(128),
    secret_ct           BYTEA,
    expires_at          TIMESTAMP WITH TIME ZONE,
    status              VARCHAR(16) NOT NULL,
    last_error          VARCHAR(2000),
    renewed_at          TIMESTAMP WITH TIME ZONE,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX ux_provider_subscriptions_external ON provider_subscriptions (kind, external_id);
CREATE INDEX ix_provider_subscriptions_connection ON provider_subscriptions (tenant_id, connection_id);
CREATE INDEX ix_provider_subscriptions_expiry ON provider_subscriptions (status, expires_at);
