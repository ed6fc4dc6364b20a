package io.integrationhub.platform.events;

import java.util.Map;
import java.util.UUID;

/**
 * One record to publish through the outbox: topic, partition key, value and the Kafka record headers
 * it carries (e.g. the tenant and source of a webhook hand-off).
 *
 * @param eventId the CloudEvent id of the value (what consumers dedupe by); a random id for other payloads
 */
public record OutboxMessage(UUID eventId, String topic, String key, String payload, Map<String, String> headers) {

    public OutboxMessage {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
