package io.integrationhub.platform.webhook.subscription;

import java.util.UUID;

/**
 * A valid access token for a connection, for the provider calls that keep subscriptions alive.
 * Implemented by the token manager (see {@code SubscriptionWiring}).
 */
public interface ConnectionAccessTokens {

    String accessToken(UUID tenantId, UUID connectionId);

}
