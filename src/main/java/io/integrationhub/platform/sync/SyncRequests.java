package io.integrationhub.platform.sync;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Consumes {@code hub.sync.requests}: a message with a {@code runId} names a queued run; one with only
 * {@code connectionId} and {@code entity} (schedules, webhooks) asks for an incremental run. Webhook
 * requests come as CloudEvents ({@code data} is the request, {@code tenantid} the tenant).
 */
@Component("syncRequestConsumer")
public class SyncRequests {

    private static final Logger LOG = LoggerFactory.getLogger(SyncRequests.class);

    private final ObjectMapper mapper;
    private final SyncRunRepository runs;
    private final SyncService syncs;
    private final SyncWorkers workers;

    public SyncRequests(ObjectMapper mapper, SyncRunRepository runs, SyncService syncs, SyncWorkers workers) {
        this.mapper = mapper;
        this.runs = runs;
        this.syncs = syncs;
        this.workers = workers;
    }

    /**
     * Step {@code sync.requests.resolve}: the run the request names or queues, to be handed to {@code seda:sync.runs};
     * null when there is nothing to execute here (unknown connection, a run already active, already in hand).
     */
    public SyncRunRepository.RunRef onRequest(String body) throws JsonProcessingException {
        JsonNode message = mapper.readTree(body);
        if (message.hasNonNull("specversion") && message.path("data").isObject()) {
            // A CloudEvent (webhook lifecycle / hub outage requests): the request is its data, the tenant its extension.
            ObjectNode data = ((ObjectNode) message.get("data")).deepCopy();
            if (!data.hasNonNull("tenantId") && message.hasNonNull("tenantid")) {
                data.put("tenantId", message.get("tenantid").asText());
            }
            message = data;
        }
        UUID connectionId = UUID.fromString(message.path("connectionId").asText());
        UUID tenantId = message.hasNonNull("tenantId") ? UUID.fromString(message.get("tenantId").asText())
                : runs.tenantOfConnection(connectionId).orElse(null);
        if (tenantId == null || runs.tenantOfConnection(connectionId).filter(tenantId::equals).isEmpty()) {
            LOG.warn("Sync request for unknown connection {} ignored", connectionId);
            return null;
        }
        if (message.hasNonNull("runId")) {
            return workers.accept(tenantId, UUID.fromString(message.get("runId").asText()));
        }
        String entity = message.path("entity").asText(null);
        if (entity == null) {
            throw new IllegalArgumentException("a sync request needs runId or entity");
        }
        SyncRun run = syncs.requestInternal(tenantId, connectionId, entity, message.path("mode").asText(null),
                message.path("reason").asText("request"));
        return run == null ? null : workers.accept(tenantId, run.id());
    }
}
