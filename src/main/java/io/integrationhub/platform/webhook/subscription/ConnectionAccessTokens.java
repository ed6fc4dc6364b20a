package io.integrationhub.platform.webhook.subscription;

import java.util.UUID;

/**
 * A valid access token for a connection, for the provider calls that keep subscriptions alive.
 * The credentials/OAuth service provides the real implementation; until then
 * {@link #unavailable()} answers with a clear failure (subscriptions are then marked failed).
 */
public interface ConnectionAccessTokens {

    String accessToken(UUID tenantId, UUID connectionId);

    static ConnectionAccessTokens unavailable() {
        return (tenantId, connectionId) -> {
            throw new IllegalStateException("No credentials service is wired: cannot call the provider for connection "
                    + connectionId);
        };
    }
}
