package io.integrationhub.platform.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * Step of a family's page route (bean {@code recordReferences}, method {@code resolve}): records that point at other
 * records of the same connection get the hub's record ids. The family's mapping writes a reference as
 * {@code {"$ref": "<model>", "externalId": "<provider id>"}} anywhere in an item's {@code data}; this step replaces it
 * by {@code {"id": "<hub record id or null>", "model", "externalId"}} with one query per model and page. A record
 * not imported yet has {@code id} null (import what is referenced first; the next full run fills it in).
 * The lookup is by tenant and connection (exchange properties {@code HubTenantId}, {@code HubConnectionId}).
 *
 * <p>Pushes go the other way (method {@code external}): a host's object names the records it refers to by the hub's
 * record id or by its own {@code localRef}; the family's mapping writes {@code {"$ref": "<model>", "id": "<hub record
 * id>"}} or {@code {"$ref": "<model>", "localRef": "<host's localRef>"}} and this step gives each the provider's id,
 * {@code {"model", "id" | "localRef", "externalId": "<provider id or null>"}}: a record id through the connection's
 * records (not deleted ones), a {@code localRef} through the connection's push links. Null: not at the provider yet
 * (the family refuses the object that refers to it, naming the reference).
 */
@Component("recordReferences")
public class RecordReferences {

    static final String REF = "$ref";

    private final TenantJdbc jdbc;
    private final ObjectMapper mapper;

    public RecordReferences(TenantJdbc jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    public void resolve(Exchange exchange) throws Exception {
        UUID tenant = exchange.getProperty(ProviderCalls.TENANT, UUID.class);
        UUID connection = exchange.getProperty(ProviderCalls.CONNECTION, UUID.class);
        JsonNode page = mapper.readTree(exchange.getMessage().getBody(String.class));
        List<ObjectNode> refs = new ArrayList<>();
        for (JsonNode item : page.path("items")) {
            collect(item.path("data"), refs);
        }
        Map<String, Set<String>> wanted = new LinkedHashMap<>();
        refs.forEach(r -> wanted.computeIfAbsent(r.path(REF).asText(), m -> new LinkedHashSet<>())
                .add(r.path("externalId").asText()));
        Map<String, String> ids = new HashMap<>();
        if (tenant != null && connection != null) {
            wanted.forEach((model, externalIds) -> jdbc.query(tenant, "SELECT external_id, id FROM records "
                    + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND model = :model "
                    + "AND external_id IN (:ids)", Map.of("connectionId", connection, "model", model,
                            "ids", List.copyOf(externalIds)), (rs, n) -> ids.put(model + "\u0000" + rs.getString(1),
                                    rs.getObject(2, UUID.class).toString())));
        }
        for (ObjectNode ref : refs) {
            String model = ref.remove(REF).asText();
            String externalId = ref.path("externalId").asText();
            ref.remove("externalId");
            ref.put("id", ids.get(model + "\u0000" + externalId));
            ref.put("model", model);
            ref.put("externalId", externalId);
        }
        exchange.getMessage().setBody(mapper.writeValueAsString(page));
    }

    public void external(Exchange exchange) throws Exception {
        UUID tenant = exchange.getProperty(ProviderCalls.TENANT, UUID.class);
        UUID connection = exchange.getProperty(ProviderCalls.CONNECTION, UUID.class);
        JsonNode body = mapper.readTree(exchange.getMessage().getBody(String.class));
        List<ObjectNode> refs = new ArrayList<>();
        collectLocal(body, refs);
        Map<String, Set<String>> byLocalRef = new LinkedHashMap<>();
        Map<String, Set<UUID>> byRecordId = new LinkedHashMap<>();
        for (ObjectNode ref : refs) {
            String model = ref.path(REF).asText();
            if (ref.path("localRef").isValueNode() && !ref.path("localRef").isNull()) {
                byLocalRef.computeIfAbsent(model, m -> new LinkedHashSet<>()).add(ref.path("localRef").asText());
            } else {
                UUID id = uuid(ref.path("id").asText());
                if (id != null) {
                    byRecordId.computeIfAbsent(model, m -> new LinkedHashSet<>()).add(id);
                }
            }
        }
        Map<String, String> ids = new HashMap<>();
        if (tenant != null && connection != null) {
            byLocalRef.forEach((model, localRefs) -> jdbc.query(tenant, "SELECT local_ref, external_id FROM record_links "
                    + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND model = :model "
                    + "AND local_ref IN (:refs) AND external_id IS NOT NULL", Map.of("connectionId", connection,
                            "model", model, "refs", List.copyOf(localRefs)),
                    (rs, n) -> ids.put(model + "\u0000l\u0000" + rs.getString(1), rs.getString(2))));
            byRecordId.forEach((model, recordIds) -> jdbc.query(tenant, "SELECT id, external_id FROM records "
                    + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND model = :model "
                    + "AND id IN (:ids) AND deleted = FALSE", Map.of("connectionId", connection, "model", model,
                            "ids", List.copyOf(recordIds)),
                    (rs, n) -> ids.put(model + "\u0000i\u0000" + rs.getObject(1, UUID.class), rs.getString(2))));
        }
        for (ObjectNode ref : refs) {
            String model = ref.remove(REF).asText();
            boolean local = ref.path("localRef").isValueNode() && !ref.path("localRef").isNull();
            UUID id = local ? null : uuid(ref.path("id").asText());
            String externalId = local ? ids.get(model + "\u0000l\u0000" + ref.path("localRef").asText())
                    : id == null ? null : ids.get(model + "\u0000i\u0000" + id);
            ref.put("model", model);
            ref.put("externalId", externalId);
        }
        exchange.getMessage().setBody(mapper.writeValueAsString(body));
    }

    private static UUID uuid(String text) {
        try {
            return text == null || text.length() != 36 ? null : UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** References by hub record id or by the host's localRef (the push direction). */
    private static void collectLocal(JsonNode node, List<ObjectNode> refs) {
        if (node instanceof ObjectNode object && object.path(REF).isTextual()
                && (object.path("localRef").isValueNode() || object.path("id").isValueNode())) {
            refs.add(object);
        } else if (node.isContainerNode()) {
            node.forEach(child -> collectLocal(child, refs));
        }
    }

    private static void collect(JsonNode node, List<ObjectNode> refs) {
        if (node instanceof ObjectNode object && object.path(REF).isTextual() && object.path("externalId").isValueNode()
                && !object.path("externalId").isNull()) {
            refs.add(object);
        } else if (node.isContainerNode()) {
            node.forEach(child -> collect(child, refs));
        }
    }
}
