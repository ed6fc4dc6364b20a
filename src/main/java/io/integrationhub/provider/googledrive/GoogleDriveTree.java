package io.integrationhub.provider.googledrive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The Java steps of the Google Drive pull (route {@code google-drive.tree-page}, routes/google-drive/sync.camel.yaml):
 * which Drive call the page is ({@link #request}) and which of Drive's answer are records of the entity
 * ({@link #page}). The Drive calls are route steps through the camel-google-drive component.
 *
 * <p>The watched folders are the connection's {@code config.recipesFolderId} and {@code config.invoicesFolderId}.
 * A crawl (full run, or an incremental run with no stored page token yet) walks them breadth-first with
 * {@code files.list} ({@code '<id>' in parents}, paged); its cursor is the queue of folders still to list, the page
 * token within the current one and the {@code changes.getStartPageToken} taken before the first page, which becomes
 * the run's delta cursor. An incremental run reads {@code changes.list} from the stored page token: an item is in
 * scope when its parent is a watched folder or a folder record of the connection (or a folder that comes into scope in
 * the same page), so a move into the tree creates the record, a move out of it, a trash or a removal deletes it.
 * A folder of the page that lies in the tree (moved in, created, renamed) also has its sub-tree listed with
 * {@code files.list} before the next changes page (cursor {@code {queue, changes | start}}): Drive reports only the
 * folder, not the content it brings.
 */
@Component("googleDriveTree")
public class GoogleDriveTree {

    public static final String FOLDER_MIME = "application/vnd.google-apps.folder";
    static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.~-]{1,200}");
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");
    static final Map<String, String> WATCHED = new LinkedHashMap<>(Map.of("recipesFolderId", "recipes",
            "invoicesFolderId", "invoices"));

    private final ObjectMapper mapper;
    private final TenantJdbc jdbc;

    public GoogleDriveTree(ObjectMapper mapper, TenantJdbc jdbc) {
        this.mapper = mapper;
        this.jdbc = jdbc;
    }

    /**
     * In: the engine's page request {@code {cursor, since, mode, config}} and exchange property {@code DriveEntity}.
     * Out (properties): {@code DriveCursor} (the working cursor), {@code DriveCall} {@code list} or {@code changes},
     * {@code DriveFolderId}/{@code DrivePageToken} of the call, {@code DriveNeedsStart} before a crawl's first page.
     */
    public void request(Exchange exchange) throws IOException {
        JsonNode in = mapper.readTree(exchange.getMessage().getBody(String.class));
        JsonNode config = in.path("config");
        ObjectNode cursor;
        if (in.path("cursor").isTextual()) {
            cursor = (ObjectNode) mapper.readTree(in.path("cursor").asText());
        } else if ("incremental".equals(in.path("mode").asText()) && in.path("since").isTextual()
                && TOKEN.matcher(in.path("since").asText()).matches()) {
            cursor = mapper.createObjectNode().put("changes", in.path("since").asText());
        } else {
            cursor = mapper.createObjectNode();
            ArrayNode queue = cursor.putArray("queue");
            for (Map.Entry<String, String> watched : WATCHED.entrySet()) {
                String id = config.path(watched.getKey()).asText("");
                if (ID.matcher(id).matches()) {
                    queue.addObject().put("id", id).put("purpose", watched.getValue());
                }
            }
            if (queue.isEmpty()) {
                throw new IllegalArgumentException("No watched folder: PATCH the connection's config.recipesFolderId "
                        + "and/or config.invoicesFolderId (GET /connections/{id}/folders lists the Drive's folders)");
            }
            exchange.setProperty("DriveNeedsStart", true);
        }
        exchange.setProperty("DriveCursor", cursor);
        if (cursor.has("changes") && cursor.path("queue").isEmpty()) {
            exchange.setProperty("DriveCall", "changes");
            exchange.setProperty("DrivePageToken", safe(cursor.path("changes").asText()));
        } else {
            exchange.setProperty("DriveCall", "list");
            exchange.setProperty("DriveFolderId", cursor.path("queue").path(0).path("id").asText());
            exchange.setProperty("DrivePageToken", cursor.hasNonNull("pageToken") ? safe(cursor.path("pageToken").asText()) : null);
        }
    }

    /** After changes.getStartPageToken: where the incremental runs after this crawl start. */
    public void started(Exchange exchange) throws IOException {
        JsonNode answer = mapper.readTree(exchange.getMessage().getBody(String.class));
        exchange.getProperty("DriveCursor", ObjectNode.class).put("start", safe(answer.path("startPageToken").asText()));
    }

    /**
     * In: Drive's answer (files.list or changes.list). Out: {@code {items: [{file, purpose, deleted}], nextCursor,
     * deltaCursor}} for mappings/drive-page.jsonata.
     */
    public String page(Exchange exchange) throws IOException {
        JsonNode answer = mapper.readTree(exchange.getMessage().getBody(String.class));
        String entity = exchange.getProperty("DriveEntity", String.class);
        ObjectNode cursor = exchange.getProperty("DriveCursor", ObjectNode.class);
        ObjectNode out = mapper.createObjectNode();
        ArrayNode items = out.putArray("items");
        if (cursor.has("changes") && cursor.path("queue").isEmpty()) {
            List<ObjectNode> entered = changes(exchange, answer, entity, config(exchange), items);
            String next = answer.path("nextPageToken").asText(null);
            String newStart = answer.path("newStartPageToken").asText(null);
            if (!entered.isEmpty()) {
                // Folders that came into the tree (moved in, created, renamed): their existing content is listed
                // before the next changes page, as a crawl would (Drive reports only the folder itself).
                ObjectNode then = mapper.createObjectNode();
                then.putArray("queue").addAll(entered);
                if (next != null) {
                    then.put("changes", safe(next));
                } else if (newStart != null) {
                    then.put("start", safe(newStart));
                }
                out.put("nextCursor", then.toString());
                out.putNull("deltaCursor");
                return out.toString();
            }
            out.put("nextCursor", next == null ? null : mapper.createObjectNode().put("changes", safe(next)).toString());
            out.put("deltaCursor", newStart == null ? null : safe(newStart));
            return out.toString();
        }
        ArrayNode queue = (ArrayNode) cursor.path("queue");
        JsonNode head = queue.get(0);
        for (JsonNode file : answer.path("files")) {
            boolean folder = FOLDER_MIME.equals(file.path("mimeType").asText());
            if (folder) {
                queue.addObject().put("id", file.path("id").asText()).put("purpose", head.path("purpose").asText());
            }
            if (folder == "folder".equals(entity)) {
                items.addObject().put("purpose", head.path("purpose").asText()).put("deleted", false).set("file", file);
            }
        }
        String next = answer.path("nextPageToken").asText(null);
        if (next != null) {
            cursor.put("pageToken", safe(next));
        } else {
            cursor.remove("pageToken");
            queue.remove(0);
        }
        out.put("total", (Integer) null);
        if (queue.isEmpty() && cursor.has("changes")) {
            // The sub-trees a changes page brought in are listed: on with the changes.
            out.put("nextCursor", mapper.createObjectNode().put("changes", cursor.path("changes").asText()).toString());
            out.putNull("deltaCursor");
            return out.toString();
        }
        out.put("nextCursor", queue.isEmpty() ? null : cursor.toString());
        out.put("deltaCursor", queue.isEmpty() && cursor.hasNonNull("start") ? cursor.path("start").asText() : null);
        return out.toString();
    }

    /** Adds the page's items; answers the folders whose sub-trees are to be listed ({id, purpose}). */
    private List<ObjectNode> changes(Exchange exchange, JsonNode answer, String entity, JsonNode config, ArrayNode items) {
        Map<String, String> scope = new HashMap<>(knownFolders(exchange));
        for (Map.Entry<String, String> watched : WATCHED.entrySet()) {
            String id = config.path(watched.getKey()).asText("");
            if (!id.isEmpty()) {
                scope.put(id, watched.getValue());
            }
        }
        // Folders of this page first, until nothing moves: a new sub-folder and its files may arrive together.
        List<JsonNode> changes = new ArrayList<>();
        answer.path("changes").forEach(changes::add);
        boolean moved = true;
        while (moved) {
            moved = false;
            for (JsonNode change : changes) {
                JsonNode file = change.path("file");
                if (!FOLDER_MIME.equals(file.path("mimeType").asText()) || watchedIds(config).contains(file.path("id").asText())) {
                    continue;
                }
                String id = file.path("id").asText();
                String purpose = inScope(change, scope);
                if (purpose != null && !purpose.equals(scope.get(id))) {
                    scope.put(id, purpose);
                    moved = true;
                } else if (purpose == null && scope.remove(id) != null) {
                    moved = true;
                }
            }
        }
        for (JsonNode change : changes) {
            if (!"file".equals(change.path("changeType").asText("file"))) {
                continue; // shared-drive changes
            }
            JsonNode file = change.path("file");
            String id = change.path("fileId").asText(file.path("id").asText());
            boolean removed = change.path("removed").asBoolean(false) || file.isMissingNode();
            if (!removed && FOLDER_MIME.equals(file.path("mimeType").asText()) != "folder".equals(entity)) {
                continue;
            }
            String purpose = removed ? null : inScope(change, scope);
            ObjectNode item = items.addObject();
            item.put("purpose", purpose).put("deleted", purpose == null);
            item.set("file", removed ? mapper.createObjectNode().put("id", id) : file);
        }
        // Each folder of the page that lies in the tree is listed, unless its parent is (that listing covers it).
        Map<String, String> changedFolders = new LinkedHashMap<>();
        for (JsonNode change : changes) {
            JsonNode file = change.path("file");
            String id = file.path("id").asText();
            if (change.path("removed").asBoolean(false) || !FOLDER_MIME.equals(file.path("mimeType").asText())
                    || watchedIds(config).contains(id) || !ID.matcher(id).matches()) {
                continue;
            }
            String purpose = inScope(change, scope);
            if (purpose != null) {
                changedFolders.put(id, purpose);
            }
        }
        List<ObjectNode> entered = new ArrayList<>();
        for (JsonNode change : changes) {
            JsonNode file = change.path("file");
            String id = file.path("id").asText();
            if (changedFolders.containsKey(id) && !changedFolders.containsKey(file.path("parents").path(0).asText())
                    && entered.stream().noneMatch(e -> e.path("id").asText().equals(id))) {
                entered.add(mapper.createObjectNode().put("id", id).put("purpose", changedFolders.get(id)));
            }
        }
        return entered;
    }

    private static java.util.Set<String> watchedIds(JsonNode config) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        WATCHED.keySet().forEach(k -> ids.add(config.path(k).asText("")));
        return ids;
    }

    /** The purpose of the watched tree the changed item lies in, or null (outside, trashed). */
    private static String inScope(JsonNode change, Map<String, String> scope) {
        JsonNode file = change.path("file");
        if (file.path("trashed").asBoolean(false)) {
            return null;
        }
        for (JsonNode parent : file.path("parents")) {
            String purpose = scope.get(parent.asText());
            if (purpose != null) {
                return purpose;
            }
        }
        return null;
    }

    private Map<String, String> knownFolders(Exchange exchange) {
        return knownFolders(exchange.getProperty(ProviderCalls.TENANT, UUID.class),
                exchange.getProperty(ProviderCalls.CONNECTION, UUID.class));
    }

    /** The connection's folder records (not deleted): id → purpose. */
    protected Map<String, String> knownFolders(UUID tenant, UUID connection) {
        Map<String, String> folders = new HashMap<>();
        jdbc.query(tenant, "SELECT external_id, data FROM records WHERE tenant_id = :tenantId AND connection_id = :connection"
                + " AND model = 'folder' AND deleted = FALSE", Map.of("connection", connection),
                (rs, n) -> {
                    String purpose;
                    try {
                        purpose = mapper.readTree(rs.getString("data")).path("purpose").asText("recipes");
                    } catch (IOException e) {
                        purpose = "recipes";
                    }
                    folders.put(rs.getString("external_id"), purpose);
                    return null;
                });
        return folders;
    }

    private JsonNode config(Exchange exchange) {
        Object config = exchange.getProperty("HubConfig");
        return config == null ? mapper.createObjectNode() : mapper.valueToTree(config);
    }

    /** Drive's page tokens are opaque but plain; anything else never reaches a URL. */
    static String safe(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new IllegalStateException("Google Drive answered a page token the hub does not send on");
        }
        return token;
    }
}
