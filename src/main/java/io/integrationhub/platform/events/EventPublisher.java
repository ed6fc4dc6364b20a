package io.integrationhub.platform.events;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Publishes hub → host events as CloudEvents 1.0 structured JSON, keyed by connection id so all
 * events of one connection stay ordered on one partition. Topics are named by {@link HubTopics}.
 */
@Component
public class EventPublisher {

    public static final String SOURCE = "/integration-hub";
    private static final String TYPE_PREFIX = "io.integrationhub.";

    private final ProducerTemplate producer;
    private final ObjectMapper mapper;

    public EventPublisher(ProducerTemplate producer, ObjectMapper mapper) {
        this.producer = producer;
        this.mapper = mapper;
    }

    /**
     * @param topic   the Kafka topic
     * @param key     partition key (the connection id, or another stable id where there is none)
     * @param type    event type without the prefix, e.g. {@code connection.status_changed}
     * @param subject what the event is about, e.g. {@code connections/<id>}
     * @param tenantId the tenant the event belongs to (a CloudEvents extension attribute)
     */
    public void publish(String topic, String key, String type, String subject, UUID tenantId, Object data) {
        producer.sendBodyAndHeaders("kafka:" + topic, envelope(UUID.randomUUID(), type, subject, tenantId, data),
                Map.of(KafkaConstants.KEY, key, "content-type", "application/cloudevents+json"));
    }

    /** The CloudEvents 1.0 structured JSON of one event ({@code tenantid} is an extension attribute). */
    public String envelope(UUID id, String type, String subject, UUID tenantId, Object data) {
        ObjectNode event = mapper.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", id.toString());
        event.put("source", SOURCE);
        event.put("type", TYPE_PREFIX + type);
        event.put("subject", subject);
        event.put("time", OffsetDateTime.now(ZoneOffset.UTC).toString());
        event.put("datacontenttype", "application/json");
        if (tenantId != null) {
            event.put("tenantid", tenantId.toString());
        }
        event.set("data", mapper.valueToTree(data));
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be serialised", e);
        }
    }
}
