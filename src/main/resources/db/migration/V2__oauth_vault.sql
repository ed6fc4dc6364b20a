-- OAuth token bookkeeping beside the V1 credentials table (still ciphertext only).
-- refreshed_at: when the provider last issued tokens (start of a sliding refresh-token lifetime).
-- provider_data: non-secret facts from the token response the hub needs later (e.g. Square merchant id).
ALTER TABLE credentials ADD COLUMN refreshed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE credentials ADD COLUMN provider_data VARCHAR NOT NULL DEFAULT '{}';
CREATE INDEX ix_credentials_refresh_horizon ON credentials (refresh_expires_at);
CREATE INDEX ix_oauth_states_connection ON oauth_states (connection_id);
