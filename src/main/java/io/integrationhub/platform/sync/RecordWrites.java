package io.integrationhub.platform.sync;

import java.util.List;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.resilience.ProviderCalls;

/**
 * Records written outside a sync run — a family's webhook route that fetched the objects an event named
 * ({@code bean: recordWrites, method: upsert}). In: headers {@code HubTenantId}, {@code HubConnectionId} (as the
 * webhook pipeline hands them on) or the exchange properties of the same names, body
 * {@code {entity | model, source?, items: [{externalId, data, remoteUpdatedAt, deleted}]}} — the items shape of a page
 * route; {@code model} names the entity where the family's entity and model share a name (HubSpot's contact, company,
 * deal). Stored through {@link SyncEngine#store} (the same path as {@code storeItems} of Square's and Xero's webhook
 * routes): the family's and the connection's mappings as in a pull, records and their change events (source
 * {@code webhook} unless {@code source} says otherwise, no {@code syncRunId}) in one transaction, so an unchanged
 * object announces nothing. Out: {@code {created, updated, deleted, unchanged}}.
 */
@Component("recordWrites")
public class RecordWrites {

    private final SyncEngine engine;
    private final ObjectMapper mapper;

    public RecordWrites(SyncEngine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.mapper = mapper;
    }

    public void upsert(Exchange exchange) throws Exception {
        UUID tenantId = uuid(exchange, ProviderCalls.TENANT);
        UUID connectionId = uuid(exchange, ProviderCalls.CONNECTION);
        JsonNode in = mapper.readTree(exchange.getMessage().getBody(String.class));
        String entity = in.path("entity").asText(in.path("model").asText(null));
        if (tenantId == null || connectionId == null || entity == null) {
            throw new IllegalArgumentException("recordWrites.upsert needs HubTenantId, HubConnectionId and an entity (or model)");
        }
        String source = in.path("source").asText("webhook");
        ArrayNode items = mapper.createArrayNode();
        for (JsonNode item : in.path("items")) {
            String externalId = item.path("externalId").asText(null);
            boolean deleted = item.path("deleted").asBoolean(false);
            if (externalId == null || !deleted && !item.path("data").isObject()) {
                throw new IllegalArgumentException("every item needs an externalId and a data object");
            }
            ObjectNode one = item.deepCopy();
            if (!one.path("data").isObject()) {
                one.putObject("data");
            }
            items.add(one);
        }
        List<RecordStore.Change> changes = engine.store(tenantId, connectionId, entity, items, source);
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
}
