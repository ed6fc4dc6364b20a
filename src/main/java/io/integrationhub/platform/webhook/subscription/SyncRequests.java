package io.integrationhub.platform.webhook.subscription;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.integrationhub.platform.events.EventPublisher;

/**
 * Asks the sync engine for an incremental sync when webhooks may have been missed (Graph
 * {@code missed}, a subscription that lapsed before renewal, a re-created subscription). Published on
 * the internal topic {@value #TOPIC}, keyed by connection id:
 * {@code {connectionId, entity, mode:"incremental", reason}}.
 */
@Component("webhookSyncRequests") // the sync engine's consumer is "syncRequestConsumer"
public class SyncRequests {

    public static final String TOPIC = "hub.sync.requests";

    private final EventPublisher events;

    public SyncRequests(EventPublisher events) {
        this.events = events;
    }

    public void requestIncremental(UUID tenantId, UUID connectionId, String entity, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("connectionId", connectionId.toString());
        data.put("entity", entity);
        data.put("mode", "incremental");
        data.put("reason", reason);
        events.publish(TOPIC, connectionId.toString(), "sync.requested", "connections/" + connectionId, tenantId, data);
    }
}
