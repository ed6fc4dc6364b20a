package io.integrationhub.platform.webhook.subscription;

import java.time.Instant;
import java.util.UUID;

/**
 * A provider-side subscription (Graph) or push channel (Google Drive) the hub keeps for a connection.
 * The secret is held only as ciphertext.
 */
public record ProviderSubscription(UUID id, UUID tenantId, UUID connectionId, String provider, String kind,
        String externalId, String resource, String resourceId, String changeType, byte[] secretCt,
        Instant expiresAt, String status, String lastError) {

    public static final String GRAPH = "graph-subscription";
    public static final String DRIVE = "drive-channel";

    public static final String ACTIVE = "active";
    public static final String FAILED = "failed";
    public static final String REMOVED = "removed";
}
