package io.integrationhub.provider.microsoft.onedrive;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.family.FamilyMappings;
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

    @Override
    public Page fetchPage(SyncContext context, String cursorText) throws Exception {
        GraphClient.Session session = graph.session(context.http());
        Cursor cursor = cursorText != null ? read(cursorText) : context.incremental() ? read(context.since()) : null;
        if (cursorText != null && cursor == null) {
            throw new IllegalStateException("the page cursor is not a Graph delta link of this hub");
        }
        if (cursor == null) {
            cursor = start(session, context, null);
            if (cursor == null) {
                return new Page(List.of(), null, 0L, null); // the root folder does not exist (yet): nothing to list
            }
        }
        Reply reply = session.send(Request.of("GET", cursor.url()), status -> status == 410);
        if (reply.status() == 410) {
            String restart = reply.header("Location");
            cursor = restart != null && restart.startsWith(graph.baseUrl() + "/")
                    ? new Cursor(restart, cursor.rootId(), Instant.now().toString())
                    : start(session, context, Instant.now().toString());
            if (cursor == null) {
                return new Page(List.of(), null, 0L, null);
            }
            reply = session.send(Request.of("GET", cursor.url()));
        }
        List<JsonNode> items = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode item : reply.json().path("value")) {
            String id = item.path("id").asText();
            ids.add(id);
            if (id.equals(cursor.rootId())) {
                continue; // the configured root itself is not a record
            }
            if (item.has("deleted") || item.has(entity)) {
                items.add(item);
            }
        }
        String next = reply.json().path("@odata.nextLink").asText(null);
        if (next != null) {
            return new Page(items, write(new Cursor(next, cursor.rootId(), cursor.resyncSince())), null, null);
        }
        if (cursor.resyncSince() != null) {
            items.addAll(notSeenSince(context, Instant.parse(cursor.resyncSince()), ids));
        }
        String delta = reply.json().path("@odata.deltaLink").asText(null);
        return new Page(items, null, null, delta == null ? null : write(new Cursor(delta, cursor.rootId(), null)));
    }

    /** A fresh enumeration of the configured root; null when that folder does not exist. */
    private Cursor start(GraphClient.Session session, SyncContext context, String resyncSince) {
        String rootPath = settings.of(context.config()).rootPath();
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
    private List<JsonNode> notSeenSince(SyncContext context, Instant restart, Set<String> onThisPage) {
        List<JsonNode> gone = new ArrayList<>();
        jdbc.query(context.tenantId(), "SELECT external_id FROM records WHERE tenant_id = :tenantId AND connection_id = "
                + ":connectionId AND model = :model AND deleted = FALSE AND last_seen_at < :restart",
                Map.of("connectionId", context.connectionId(), "model", model(), "restart", Timestamp.from(restart)),
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
