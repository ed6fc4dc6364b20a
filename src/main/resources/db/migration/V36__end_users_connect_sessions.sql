-- End users of a tenant (issue 18): a connection may belong to one end user of the host application, named
-- by the host's own id (not unique per provider: one end user may hold several connections of a provider).
ALTER TABLE connections ADD COLUMN end_user_id VARCHAR(200);
ALTER TABLE connections ADD COLUMN end_user_email VARCHAR(320);
ALTER TABLE connections ADD COLUMN end_user_display_name VARCHAR(200);
CREATE INDEX ix_connections_end_user ON connections (tenant_id, end_user_id);

-- Origins allowed to frame the dashboard opened with a connect session (CSP frame-ancestors): a JSON array.
ALTER TABLE tenants ADD COLUMN embed_origins VARCHAR(4000) NOT NULL DEFAULT '[]';

-- Connect sessions: short-lived browser tokens scoped to one end user of one tenant. Only the SHA-256 digest
-- of the token is kept; revoked_at ends a session before expires_at.
CREATE TABLE connect_sessions (
    id                      UUID PRIMARY KEY,
    tenant_id               UUID NOT NULL REFERENCES tenants (id),
    token_hash              VARCHAR(64) NOT NULL,
    end_user_id             VARCHAR(200) NOT NULL,
    end_user_email          VARCHAR(320),
    end_user_display_name   VARCHAR(200),
    providers               VARCHAR(4000),
    return_url              VARCHAR(2048),
    expires_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at              TIMESTAMP WITH TIME ZONE,
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX ux_connect_sessions_token ON connect_sessions (token_hash);
CREATE INDEX ix_connect_sessions_tenant ON connect_sessions (tenant_id, created_at);
