package io.integrationhub.provider.microsoft.onedrive;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.FolderBrowser;
import io.integrationhub.provider.microsoft.graph.GraphClient;

/**
 * OneDrive folders for the dashboard's folder picker: the live children of a folder (Graph
 * {@code GET /me/drive/items/{id}/children}), folders only. The cursor is Graph's {@code @odata.nextLink},
 * handed out base64url-encoded and accepted back only when it points at the configured Graph base URL.
 */
@Component
public class DriveFolderBrowser implements FolderBrowser {

    private static final Pattern ITEM_ID = Pattern.compile("[A-Za-z0-9!._-]{1,200}");
    private static final String SELECT = "$select=id,name,folder,parentReference";

    private final GraphClient graph;
    private final int pageSize;

    public DriveFolderBrowser(GraphClient graph,
            @org.springframework.beans.factory.annotation.Value("${hub.microsoft.onedrive.folder-page-size:200}") int pageSize) {
        this.graph = graph;
        this.pageSize = pageSize;
    }

    @Override
    public String provider() {
        return "onedrive";
    }

    @Override
    public Listing list(UUID tenantId, Connection connection, String parentId, String cursor) {
        if (parentId != null && !ITEM_ID.matcher(parentId).matches()) {
            throw ProblemException.badRequest("parentId is not a drive item id.", new FieldError("parentId", "malformed"));
        }
        GraphClient.Session session = graph.session(connection.provider(), tenantId, connection.id());
        String item = parentId == null ? "/me/drive/root" : "/me/drive/items/" + parentId;
        Folder parent = folder(session.get(item + "?" + SELECT));
        JsonNode page = session.get(cursor == null ? item + "/children?" + SELECT + "&$top=" + pageSize : graph.linkOf(cursor));
        List<Folder> folders = new ArrayList<>();
        for (JsonNode child : page.path("value")) {
            if (child.has("folder")) {
                folders.add(folder(child));
            }
        }
        String next = page.path("@odata.nextLink").asText(null);
        return new Listing(parent, folders, GraphClient.cursorOf(next));
    }


    static Folder folder(JsonNode item) {
        String parentPath = item.path("parentReference").path("path").asText("");
        String below = parentPath.replaceFirst("^/drive/root:?", "");
        boolean root = item.path("root").isObject() || (parentPath.isEmpty() && !item.has("parentReference"));
        String name = item.path("name").asText();
        String path = root ? "/" : (below.isEmpty() ? "" : below) + "/" + name;
        JsonNode count = item.path("folder").path("childCount");
        return new Folder(item.path("id").asText(), root ? "root" : name, path, count.isNumber() ? count.asInt() : null);
    }
}
