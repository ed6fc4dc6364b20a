-- A token refresh in flight (TokenManager): the credentials row lock is held only to take or release this
-- lease and to store the result, never while the provider's token endpoint is called, so a slow endpoint
-- cannot hold database connections. Callers that find a live lease wait for its result without a connection.
ALTER TABLE credentials ADD COLUMN refresh_lease_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE credentials ADD COLUMN refresh_lease_owner VARCHAR(64);
