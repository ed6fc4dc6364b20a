package io.integrationhub.provider.microsoft.mail;

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
 * Outlook mail folders for the dashboard's watched-folders picker ({@code config.mail.folders}): the mailbox's
 * top-level folders ({@code GET /me/mailFolders}) or a folder's child folders ({@code …/childFolders}), live: the
 * Graph calls are the route {@value #ROUTE}; this class checks the parent id and the cursor and shapes the answer.
 * The cursor is Graph's {@code @odata.nextLink}, base64url-encoded, accepted back only on the Graph base URL.
 */
@Component
public class MailFolderBrowser implements FolderBrowser {

    private static final Pattern FOLDER_ID = Pattern.compile("[A-Za-z0-9=_-]{1,512}");
    /** The folder and a page of its child folders: routes/microsoft/folders.camel.yaml. */
    static final String ROUTE = "direct:outlook.mail-folders.list";

    private final GraphClient graph;

    public MailFolderBrowser(GraphClient graph) {
        this.graph = graph;
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
        JsonNode answer = graph.route(ROUTE, graph.session(connection.provider(), tenantId, connection.id()),
                GraphClient.properties("MailParentId", parentId, "GraphNextLink", cursor == null ? null : graph.linkOf(cursor)),
                null).json();
        JsonNode folder = answer.path("parent");
        Folder parent = parentId == null ? new Folder("root", "Mailbox", "/", null)
                : new Folder(folder.path("id").asText(), folder.path("displayName").asText(),
                        "/" + folder.path("displayName").asText(), count(folder));
        JsonNode page = answer.path("page");
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
