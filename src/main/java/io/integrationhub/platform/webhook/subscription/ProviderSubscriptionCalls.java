package io.integrationhub.platform.webhook.subscription;

import java.time.Instant;
import java.util.UUID;

/**
 * The provider calls of the subscription lifecycle, as the platform asks for them: implemented by the provider
 * families (Graph subscriptions by the Microsoft family, Drive change channels by the Google Drive family), each
 * through its provider endpoint. The platform ({@link SubscriptionRegistry}) keeps the lifecycle: what to create,
 * when to renew, re-create or remove, and the secrets.
 */
public final class ProviderSubscriptionCalls {

    private ProviderSubscriptionCalls() {
    }

    /** Who a call is made for, with the access token the registry got for the connection. */
    public record Caller(UUID tenantId, UUID connectionId, String provider, String bearer) {
        @Override
        public String toString() {
            return "Caller{provider=" + provider + ", connection=" + connectionId + "}";
        }
    }

    /** What the provider answered for a created or renewed subscription/channel. */
    public record Created(String externalId, String resourceId, Instant expiresAt) {
    }

    /** Microsoft Graph change-notification subscriptions ({@code /subscriptions}). */
    public interface Graph {
        Created create(Caller caller, String resource, String changeType, String notificationUrl, String clientState,
                Instant expiration);

        /** PATCH renewal; null when Graph no longer knows the subscription (404), which means re-create. */
        Created renew(Caller caller, String subscriptionId, Instant expiration);

        /** {@code POST /subscriptions/{id}/reauthorize}; false when Graph no longer knows the subscription (404). */
        boolean reauthorize(Caller caller, String subscriptionId);

        /** Deletes the subscription; one Graph no longer knows (any 4xx) counts as deleted. */
        void delete(Caller caller, String subscriptionId);
    }

    /** Google Drive change channels ({@code changes.watch}, {@code channels.stop}). */
    public interface Drive {
        Created watchChanges(Caller caller, String channelId, String channelToken, String address, Instant expiration);

        /** Stops a channel; one Drive no longer knows (any 4xx) counts as stopped. */
        void stop(Caller caller, String channelId, String resourceId);
    }
}
