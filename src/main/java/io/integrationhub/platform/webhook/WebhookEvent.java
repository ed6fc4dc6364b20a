package io.integrationhub.platform.webhook;

import java.time.Instant;
import java.util.UUID;

/** A stored webhook event (a row of the {@code webhook_events} inbox). */
public record WebhookEvent(UUID id, UUID tenantId, UUID connectionId, String provider, String eventType,
        String externalEventId, String status, String payload, String error, int attempts, int deliveryCount,
        Instant receivedAt, Instant processedAt) {

    public static final String RECEIVED = "received";
    public static final String QUEUED = "queued";
    public static final String PROCESSING = "processing";
    public static final String PROCESSED = "processed";
    public static final String IGNORED = "ignored";
    public static final String FAILED = "failed";
}
