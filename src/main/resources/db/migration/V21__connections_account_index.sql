-- Webhook ingress finds an event's connections by provider account (WebhookIngress.targets), on every
-- request before it is acknowledged: an index instead of a scan of all connections.
CREATE INDEX ix_connections_provider_account ON connections (provider, account_id);
