package io.integrationhub.platform.webhook;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One provider event found in a verified delivery (a delivery may batch several).
 *
 * @param eventKey     the provider's event id, or a stable hash of the event where it has none
 * @param eventType    the provider's event type, e.g. {@code invoice.update}, {@code order.updated}
 * @param accountId    the provider account the event belongs to (Xero tenant, Square merchant, ...), or null
 * @param subscription the hub subscription/channel the event arrived through (Graph, Google), or null
 * @param payload      the event itself
 */
public record InboundEvent(String eventKey, String eventType, String accountId, SubscriptionRef subscription,
        JsonNode payload) {

    /** The stored subscription an event arrived through, already authenticated by its secret. */
    public record SubscriptionRef(java.util.UUID id, java.util.UUID tenantId, java.util.UUID connectionId) {
    }
}
