package io.integrationhub.platform.resilience;

import java.util.UUID;

/**
 * Access tokens for provider calls made by syncs and actions. The OAuth token manager implements
 * this; the sync engine never sees refresh tokens or client secrets.
 */
public interface BearerTokens {

    /** A currently valid access token (or API key) for the connection. */
    String bearer(UUID tenantId, UUID connectionId);

    /**
     * Called when the provider answered 401 to {@code rejectedToken}: returns a fresh token (refreshing
     * once even when several calls report the same rejected token). Throws {@link ReauthorizationRequired}
     * when the connection cannot be refreshed any more.
     */
    String refreshAfterUnauthorized(UUID tenantId, UUID connectionId, String rejectedToken);

    /** The connection's grant is gone (refresh failed, consent revoked): a person must reconnect. */
    class ReauthorizationRequired extends RuntimeException {
        public ReauthorizationRequired(String message) {
            super(message);
        }
    }
}
