package io.integrationhub.provider.microsoft.onedrive;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.family.FamilyMappings;
import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.platform.sync.SyncContext;
import io.integrationhub.platform.sync.SyncSource;
import io.integrationhub.platform.tenancy.TenantJdbc;
import io.integrationhub.provider.microsoft.graph.GraphClient.Reply;
import io.integrationhub.provider.microsoft.graph.GraphClient.Request;
import io.integrationhub.provider.microsoft.graph.GraphClient;

/**
 * {@code file} and {@code folder} records from Graph's delta of the connection's root folder
 * ({@code GET /me/drive/items/{root-id}/delta}). A full run starts without a token; pages follow
 * {@code @odata.nextLink}; the last page's {@code @odata.deltaLink} is where the next incremental run starts.
 * Items with a {@code deleted} facet become deleted records (Graph may leave out their file/folder facet, so a
 * deletion is offered to both entities; one that was never a record of the entity changes nothing).
 *
 * <p>A {@code 410 Gone} (the token is too old; Graph's {@code resyncChangesApplyDifferences}) restarts the
 * enumeration from Graph's {@code Location} (or from scratch) within the same run, as Graph asks: replace local
 * items with the server's, including deletes. Because a restarted enumeration lists only what exists, the
 * last page also marks deleted every record of the entity that the restarted enumeration did not touch.
 *
 * <p>The cursor is a small JSON object {@code {url, rootId, resyncSince?}}; the stored delta cursor
 * {@code {url, rootId}}.
 */
public class OneDriveDeltaSource implements SyncSource {

    static final List<String> ENTITIES = List.of("file", "folder");

    private final String entity;
    private final GraphClient graph;
    private final OneDriveSettings settings;
    private final TenantJdbc jdbc;
    private final ObjectMapper mapper;
    private final FamilyMappings mappings;

    /** The route applying routes/microsoft/mappings/drive-item.jsonata (routes/microsoft/mappings.camel.yaml). */
    static final String ITEM_MAPPING = "direct:microsoft.onedrive.item-to-record";

    OneDriveDeltaSource(String entity, GraphClient graph, OneDriveSettings settings, TenantJdbc jdbc, ObjectMapper mapper,
            FamilyMappings mappings) {
        this.mappings = mappings;
        this.entity = entity;
        this.graph = graph;
        this.settings = settings;
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    @Configuration(proxyBeanMethods = false)
    static class Sources {
        @Bean
        SyncSource oneDriveFileSource(GraphClient graph, OneDriveSettings settings, TenantJdbc jdbc, ObjectMapper mapper,
                FamilyMappings mappings) {
            return new OneDriveDeltaSource("file", graph, settings, jdbc, mapper, mappings);
        }

        @Bean
        SyncSource oneDriveFolderSource(GraphClient graph, OneDriveSettings settings, TenantJdbc jdbc, ObjectMapper mapper,
                FamilyMappings mappings) {
            return new OneDriveDeltaSource("folder", graph, settings, jdbc, mapper, mappings);
        }
    }

    @Override
    public String provider() {
        return OneDriveJobFiles.PROVIDER;
    }

    @Override
    public String entity() {
        return entity;
    }

    private record Cursor(String url, String rootId, String resyncSince) {
    }

    /** Paged by the family's route {@code onedrive.<entity>.page} (steps of {@link Pages}), not from Java. */
    @Override
    public Page fetchPage(SyncContext context, String cursorText) {
        throw new UnsupportedOperationException("OneDrive pages are fetched by route onedrive." + entity + ".page");
    }

    /**
     * The Java steps of route {@code microsoft.onedrive.delta-page} (routes/microsoft/sync.camel.yaml), which the page
     * routes {@code onedrive.file.page} and {@code onedrive.folder.page} call with the sync engine's page request
     * {@code {cursor, since, mode, config}} (exchange property {@code DriveEntity}: file or folder): where the page is
     * ({@link #request}), where a stale token restarts ({@link #restart}) and what of Graph's answer is a record of the
     * entity ({@link #page}). The delta GET itself is a route step through the provider endpoint.
     */
    @Component("oneDriveDeltaPages")
    public static class Pages {
        static final String CURSOR = "DriveDeltaCursor";
        static final String EMPTY = "DriveEmpty";
        static final String ENTITY = "DriveEntity";

        private final OneDriveDeltaSource helper;

        public Pages(GraphClient graph, OneDriveSettings settings, TenantJdbc jdbc, ObjectMapper mapper,
                FamilyMappings mappings) {
            this.helper = new OneDriveDeltaSource(null, graph, settings, jdbc, mapper, mappings);
        }

        /** The page's delta URL from the run's cursor, the stored delta link, or a fresh enumeration of the root. */
        public void request(String pageRequest, Exchange exchange) throws Exception {
            JsonNode in = helper.mapper.readTree(pageRequest);
            String cursorText = in.path("cursor").asText(null);
            boolean incremental = "incremental".equals(in.path("mode").asText()) && in.hasNonNull("since");
            exchange.setProperty(ProviderCalls.PROVIDER, OneDriveJobFiles.PROVIDER);
            exchange.setProperty(CONFIG, in.path("config"));
            Cursor cursor = cursorText != null ? helper.read(cursorText)
                    : incremental ? helper.read(in.path("since").asText()) : null;
            if (cursorText != null && cursor == null) {
                throw new IllegalStateException("the page cursor is not a Graph delta link of this hub");
            }
            if (cursor == null) {
                cursor = helper.start(session(exchange), in.path("config"), null);
            }
            ask(exchange, cursor);
        }

        /** After {@code 410 Gone}: Graph's {@code Location} (or a fresh enumeration), marking the resync's start. */
        public void restart(@Header("Location") String location, Exchange exchange) {
            Cursor cursor = helper.read(exchange.getProperty(CURSOR, String.class));
            Cursor restarted = location != null && location.startsWith(helper.graph.baseUrl() + "/")
                    ? new Cursor(location, cursor.rootId(), Instant.now().toString())
                    : helper.start(session(exchange), exchange.getProperty(CONFIG, JsonNode.class), Instant.now().toString());
            ask(exchange, restarted);
            exchange.getMessage().removeHeader("ProviderPassThrough");
        }

        /** Graph's delta page → the sync engine's page: the entity's items (and deletions), next or delta cursor. */
        public String page(String graphPage, Exchange exchange) throws Exception {
            ObjectNode out = helper.mapper.createObjectNode();
            if (exchange.getProperty(EMPTY, false, Boolean.class)) {
                out.putArray("items");
                out.put("total", 0); // the root folder does not exist (yet): nothing to list
                return out.toString();
            }
            Cursor cursor = helper.read(exchange.getProperty(CURSOR, String.class));
            String entity = exchange.getProperty(ENTITY, String.class);
            JsonNode reply = helper.mapper.readTree(graphPage);
            var items = out.putArray("items");
            Set<String> ids = new HashSet<>();
            for (JsonNode item : reply.path("value")) {
                String id = item.path("id").asText();
                ids.add(id);
                if (id.equals(cursor.rootId())) {
                    continue; // the configured root itself is not a record
                }
                if (item.has("deleted") || item.has(entity)) {
                    items.add(item);
                }
            }
            String next = reply.path("@odata.nextLink").asText(null);
            if (next != null) {
                out.put("nextCursor", helper.write(new Cursor(next, cursor.rootId(), cursor.resyncSince())));
                return out.toString();
            }
            if (cursor.resyncSince() != null) {
                items.addAll(helper.notSeenSince(exchange.getProperty(ProviderCalls.TENANT, UUID.class),
                        exchange.getProperty(ProviderCalls.CONNECTION, UUID.class), entity,
                        Instant.parse(cursor.resyncSince()), ids));
            }
            String delta = reply.path("@odata.deltaLink").asText(null);
            out.put("deltaCursor", delta == null ? null : helper.write(new Cursor(delta, cursor.rootId(), null)));
            return out.toString();
        }

        private void ask(Exchange exchange, Cursor cursor) {
            if (cursor == null) {
                exchange.setProperty(EMPTY, true);
                return;
            }
            exchange.setProperty(CURSOR, helper.write(cursor));
            var message = exchange.getMessage();
            message.setHeader("ProviderMethod", "GET");
            message.setHeader("ProviderUrl", cursor.url());
            message.setHeader("ProviderPassThrough", "410");
            message.setHeader("Accept", "application/json");
            message.setBody("");
        }

        private GraphClient.Session session(Exchange exchange) {
            return helper.graph.session(exchange, OneDriveJobFiles.PROVIDER);
        }

        private static final String CONFIG = "DriveConfig";
    }

    /** A fresh enumeration of the configured root; null when that folder does not exist. */
    private Cursor start(GraphClient.Session session, JsonNode config, String resyncSince) {
        String rootPath = settings.of(config).rootPath();
        Reply root = session.send(Request.of("GET", session.url("/me/drive/root:" + GraphClient.encodePath(rootPath))),
                status -> status == 404);
        if (root.status() == 404) {
            return null;
        }
        String rootId = root.json().path("id").asText();
        return new Cursor(session.url(OneDriveFolders.item(rootId) + "/delta"), rootId, resyncSince);
    }

    /**
     * After a restarted enumeration: the entity's live records that no page of it touched (their
     * {@code last_seen_at} is older than the restart) are gone in OneDrive.
     */
    private List<JsonNode> notSeenSince(UUID tenantId, UUID connectionId, String model, Instant restart,
            Set<String> onThisPage) {
        List<JsonNode> gone = new ArrayList<>();
        jdbc.query(tenantId, "SELECT external_id FROM records WHERE tenant_id = :tenantId AND connection_id = "
                + ":connectionId AND model = :model AND deleted = FALSE AND last_seen_at < :restart",
                Map.of("connectionId", connectionId, "model", model, "restart", Timestamp.from(restart)),
                (rs, n) -> {
                    String id = rs.getString(1);
                    if (!onThisPage.contains(id)) {
                        ObjectNode tombstone = mapper.createObjectNode().put("id", id);
                        tombstone.putObject("deleted").put("state", "notInResync");
                        gone.add(tombstone);
                    }
                    return null;
                });
        return gone;
    }

    @Override
    public Mapped map(JsonNode raw) {
        // routes/microsoft/mappings/drive-item.jsonata, through the route microsoft.onedrive.item-to-record.
        return mappings.record(ITEM_MAPPING, raw);
    }

    /** A cursor this source wrote; anything else (e.g. an instant the engine stored) means "start afresh". */
    private Cursor read(String text) {
        if (text == null || !text.startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = mapper.readTree(text);
            String url = node.path("url").asText(null);
            if (url == null || !url.startsWith(graph.baseUrl() + "/")) {
                return null;
            }
            return new Cursor(url, node.path("rootId").asText(null), node.path("resyncSince").asText(null));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private String write(Cursor cursor) {
        ObjectNode node = mapper.createObjectNode();
        node.put("url", cursor.url());
        node.put("rootId", cursor.rootId());
        if (cursor.resyncSince() != null) {
            node.put("resyncSince", cursor.resyncSince());
        }
        return node.toString();
    }
}
