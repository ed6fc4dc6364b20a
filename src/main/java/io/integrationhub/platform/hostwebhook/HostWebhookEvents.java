package io.integrationhub.platform.hostwebhook;

import java.util.List;

/**
 * The event types an endpoint can subscribe to (CloudEvent {@code type}s of the public topics) and how a
 * subscription matches: an exact type, {@code *} (everything), or a prefix ending in {@code .*}
 * ({@code io.integrationhub.record.*}).
 */
public final class HostWebhookEvents {

    public static final List<String> TYPES = List.of(
            "io.integrationhub.record.created",
            "io.integrationhub.record.updated",
            "io.integrationhub.record.deleted",
            "io.integrationhub.sync.started",
            "io.integrationhub.sync.resumed",
            "io.integrationhub.sync.finished",
            "io.integrationhub.connection.status_changed",
            "io.integrationhub." + io.integrationhub.platform.webhook.subscription.SubscriptionRegistry.LOST_TYPE,
            "io.integrationhub.dead_letter.created",
            "io.integrationhub." + HostWebhookSteps.DISABLED_TYPE);

    private HostWebhookEvents() {
    }

    /** Whether a subscription names at least one known type (an unknown one would never fire). */
    public static boolean known(String pattern) {
        return TYPES.stream().anyMatch(t -> matches(pattern, t));
    }

    public static boolean matches(List<String> patterns, String type) {
        return patterns.stream().anyMatch(p -> matches(p, type));
    }

    static boolean matches(String pattern, String type) {
        if (pattern.equals("*") || pattern.equals(type)) {
            return true;
        }
        return pattern.endsWith(".*") && type.startsWith(pattern.substring(0, pattern.length() - 1));
    }
}
