package io.integrationhub.platform.events;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.ids.Uuids;

/**
 * Publishes hub → host events as CloudEvents 1.0 structured JSON, keyed by connection id so all
 * events of one connection stay ordered on one partition. Topics are named by {@link HubTopics}.
 * <p>
 * Publishing writes the event to the transactional {@link Outbox}: inside the caller's transaction when
 * there is one (the event exists exactly when the data it describes was committed), else on its own.
 * The route {@code outbox.relay} sends it to Kafka afterwards; a relay that dies between the send and the
 * delete sends it again with the same CloudEvent {@code id}, which is what consumers dedupe by.
 * <p>
 * An event keyed by a connection that belongs to an end user of the host carries that end user's id as the
 * {@code enduserid} extension attribute (from the {@link EndUserDirectory}), so a host can route it to its user.
 */
@Component
public class EventPublisher {

    public static final String SOURCE = "/integration-hub";
    private static final String TYPE_PREFIX = "io.integrationhub.";

    public static final String CONTENT_TYPE_HEADER = "content-type";
    public static final String CLOUDEVENTS_JSON = "application/cloudevents+json";

    private final Outbox outbox;
    private final ObjectMapper mapper;
    private final ObjectProvider<EndUserDirectory> endUsers;
    /** The directory once resolved: {@code getIfAvailable} walks the bean factory on every call (half of a sync page's
     * envelope time in the profile). */
    private volatile EndUserDirectory directory;
    /** The last event time written and its text ({@code OffsetDateTime.toString} per event showed in the profile). */
    private volatile TimeText lastTime = new TimeText(0, null);

    private record TimeText(long millis, String text) {
    }

    public EventPublisher(Outbox outbox, ObjectMapper mapper, ObjectProvider<EndUserDirectory> endUsers) {
        this.outbox = outbox;
        this.mapper = mapper;
        this.endUsers = endUsers;
    }

    /**
     * @param topic   the Kafka topic
     * @param key     partition key (the connection id, or another stable id where there is none)
     * @param type    event type without the prefix, e.g. {@code connection.status_changed}
     * @param subject what the event is about, e.g. {@code connections/<id>}
     * @param tenantId the tenant the event belongs to (a CloudEvents extension attribute)
     */
    public void publish(String topic, String key, String type, String subject, UUID tenantId, Object data) {
        outbox.enqueue(message(topic, key, type, subject, tenantId, data));
    }

    /** Several events in one batch insert, in this order (e.g. a sync page's record changes). */
    public void publishAll(List<OutboxMessage> messages) {
        outbox.enqueueAll(messages);
    }

    /** The outbox message of one event (a new CloudEvent id), for {@link #publishAll}. */
    public OutboxMessage message(String topic, String key, String type, String subject, UUID tenantId, Object data) {
        UUID id = Uuids.timeOrdered();
        return new OutboxMessage(id, topic, key, envelope(id, type, subject, tenantId, connectionId(key), data),
                Map.of(CONTENT_TYPE_HEADER, CLOUDEVENTS_JSON));
    }

    private EndUserDirectory directory() {
        EndUserDirectory d = directory;
        if (d == null) {
            d = endUsers.getIfAvailable();
            directory = d;
        }
        return d;
    }

    /** The event time (UTC, as {@code OffsetDateTime.toString}); the same text for events of the same millisecond. */
    private String now() {
        long millis = System.currentTimeMillis();
        TimeText last = lastTime;
        if (last.millis() == millis) {
            return last.text();
        }
        String text = OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(millis), ZoneOffset.UTC).toString();
        lastTime = new TimeText(millis, text);
        return text;
    }

    private static UUID connectionId(String key) {
        try {
            return key == null ? null : UUID.fromString(key);
        } catch (IllegalArgumentException notAConnection) {
            return null;
        }
    }

    /** The CloudEvents 1.0 structured JSON of one event ({@code tenantid} is an extension attribute). */
    public String envelope(UUID id, String type, String subject, UUID tenantId, Object data) {
        return envelope(id, type, subject, tenantId, null, data);
    }

    /**
     * As {@link #envelope(UUID, String, String, UUID, Object)}, for an event about {@code connectionId} (may be null):
     * with the {@code enduserid} extension attribute when the connection belongs to an end user.
     */
    public String envelope(UUID id, String type, String subject, UUID tenantId, UUID connectionId, Object data) {
        ObjectNode event = mapper.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", id.toString());
        event.put("source", SOURCE);
        event.put("type", TYPE_PREFIX + type);
        event.put("subject", subject);
        event.put("time", now());
        event.put("datacontenttype", "application/json");
        if (tenantId != null) {
            event.put("tenantid", tenantId.toString());
            EndUserDirectory directory = connectionId == null ? null : directory();
            String endUserId = directory == null ? null : directory.endUserId(tenantId, connectionId);
            if (endUserId != null) {
                event.put("enduserid", endUserId);
            }
        }
        // a tree is set as it is (valueToTree would copy it, and a sync page's record data is most of each event)
        event.set("data", data instanceof JsonNode node ? node : mapper.valueToTree(data));
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be serialised", e);
        }
    }
}
