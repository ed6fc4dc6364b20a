package io.integrationhub.platform.sync;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.events.EventPublisher;
import io.integrationhub.platform.events.HubTopics;
import io.integrationhub.platform.events.OutboxMessage;
import io.integrationhub.platform.resilience.ProviderCalls;

/**
 * Records written outside a sync run — a family's webhook route that fetched the objects an event named
 * ({@code bean: recordWrites, method: upsert}). In: headers {@code HubTenantId}, {@code HubConnectionId} (as the
 * webhook pipeline hands them on) or the exchange properties of the same names, body
 * {@code {model, source?, items: [{externalId, data, remoteUpdatedAt, deleted}]}} — the items shape of a page route.
 * The records and their change events (source {@code webhook}, no {@code syncRunId}) are written in one
 * transaction, exactly as a sync page is, so an unchanged object announces nothing. Out: {@code {created, updated,
 * deleted, unchanged}}.
 */
@Component("recordWrites")
public class RecordWrites {

    private final RecordStore records;
    private final EventPublisher events;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;

    public RecordWrites(RecordStore records, EventPublisher events, TransactionTemplate tx, ObjectMapper mapper) {
        this.records = records;
        this.events = events;
        this.tx = tx;
        this.mapper = mapper;
    }

    public void upsert(Exchange exchange) throws Exception {
        UUID tenantId = uuid(exchange, ProviderCalls.TENANT);
        UUID connectionId = uuid(exchange, ProviderCalls.CONNECTION);
        JsonNode in = mapper.readTree(exchange.getMessage().getBody(String.class));
        String model = in.path("model").asText(null);
        if (tenantId == null || connectionId == null || model == null) {
            throw new IllegalArgumentException("recordWrites.upsert needs HubTenantId, HubConnectionId and a model");
        }
        String source = in.path("source").asText("webhook");
        List<SyncSource.Mapped> items = new ArrayList<>();
        for (JsonNode item : in.path("items")) {
            String externalId = item.path("externalId").asText(null);
            boolean deleted = item.path("deleted").asBoolean(false);
            JsonNode data = item.path("data");
            if (externalId == null || !deleted && !data.isObject()) {
                throw new IllegalArgumentException("every item needs an externalId and a data object");
            }
            items.add(new SyncSource.Mapped(externalId, data.isObject() ? (ObjectNode) data : mapper.createObjectNode(),
                    instant(item.path("remoteUpdatedAt").asText(null)), deleted));
        }
        List<RecordStore.Change> changes = tx.execute(status -> {
            List<RecordStore.Change> written = records.apply(tenantId, connectionId, model, items, Instant.now());
            List<OutboxMessage> envelopes = new ArrayList<>(written.size());
            for (RecordStore.Change c : written) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("connectionId", connectionId.toString());
                data.put("recordId", c.recordId().toString());
                data.put("model", c.model());
                data.put("externalId", c.externalId());
                data.put("change", c.kind().name());
                data.put("source", source);
                if (c.data() != null) {
                    data.put("data", c.data());
                }
                envelopes.add(events.message(HubTopics.RECORD_CHANGES, connectionId.toString(), "record." + c.kind().name(),
                        "connections/" + connectionId + "/records/" + c.model() + "/" + c.externalId(), tenantId, data));
            }
            events.publishAll(envelopes);
            return written;
        });
        ObjectNode out = mapper.createObjectNode();
        for (RecordStore.ChangeKind kind : RecordStore.ChangeKind.values()) {
            out.put(kind.name(), changes.stream().filter(c -> c.kind() == kind).count());
        }
        out.put("unchanged", items.size() - changes.size());
        exchange.getMessage().setBody(out.toString());
    }

    private static UUID uuid(Exchange exchange, String name) {
        Object value = exchange.getMessage().getHeader(name);
        if (value == null) {
            value = exchange.getProperty(name);
        }
        return value == null ? null : value instanceof UUID u ? u : UUID.fromString(value.toString());
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
