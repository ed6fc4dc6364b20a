package io.integrationhub.provider.microsoft.mail;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.FolderBrowser;
import io.integrationhub.provider.microsoft.graph.GraphClient;

/**
 * Outlook mail folders for the dashboard's watched-folders picker ({@code config.mail.folders}): the mailbox's
 * top-level folders ({@code GET /me/mailFolders}) or a folder's child folders ({@code …/childFolders}), live.
 * The cursor is Graph's {@code @odata.nextLink}, base64url-encoded, accepted back only on the Graph base URL.
 */
@Component
public class MailFolderBrowser implements FolderBrowser {

    private static final Pattern FOLDER_ID = Pattern.compile("[A-Za-z0-9=_-]{1,512}");
    private static final String SELECT = "$select=id,displayName,childFolderCount,parentFolderId";

    private final GraphClient graph;
    private final int pageSize;

    public MailFolderBrowser(GraphClient graph, @Value("${hub.microsoft.onedrive.folder-page-size:200}") int pageSize) {
        this.graph = graph;
        this.pageSize = pageSize;
    }

    @Override
    public String provider() {
        return "outlook";
    }

    @Override
    public Listing list(UUID tenantId, Connection connection, String parentId, String cursor) {
        if (parentId != null && !FOLDER_ID.matcher(parentId).matches()) {
            throw ProblemException.badRequest("parentId is not a mail folder id.", new FieldError("parentId", "malformed"));
        }
        GraphClient.Session session = graph.session(connection.provider(), tenantId, connection.id());
        Folder parent;
        String first;
        if (parentId == null) {
            parent = new Folder("root", "Mailbox", "/", null);
            first = "/me/mailFolders?" + SELECT + "&$top=" + pageSize;
        } else {
            String id = URLEncoder.encode(parentId, StandardCharsets.UTF_8);
            JsonNode folder = session.get("/me/mailFolders/" + id + "?" + SELECT);
            parent = new Folder(folder.path("id").asText(), folder.path("displayName").asText(),
                    "/" + folder.path("displayName").asText(), count(folder));
            first = "/me/mailFolders/" + id + "/childFolders?" + SELECT + "&$top=" + pageSize;
        }
        JsonNode page = session.get(cursor == null ? first : graph.linkOf(cursor));
        List<Folder> folders = new ArrayList<>();
        String prefix = "/".equals(parent.path()) ? "" : parent.path();
        for (JsonNode f : page.path("value")) {
            folders.add(new Folder(f.path("id").asText(), f.path("displayName").asText(),
                    prefix + "/" + f.path("displayName").asText(), count(f)));
        }
        String next = page.path("@odata.nextLink").asText(null);
        return new Listing(parent, folders, GraphClient.cursorOf(next));
    }

    private static Integer count(JsonNode folder) {
        return folder.path("childFolderCount").isNumber() ? folder.path("childFolderCount").asInt() : null;
    }

}
