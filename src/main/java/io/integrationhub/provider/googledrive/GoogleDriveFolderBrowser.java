package io.integrationhub.provider.googledrive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.FolderBrowser;
import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderCalls;

/**
 * Google Drive folders for the folder picker ({@code GET /api/v1/connections/{id}/folders}): the Drive calls are
 * route {@value #ROUTE}; this class checks the parent id and the cursor (Drive's {@code nextPageToken}, handed out
 * as it is and accepted back only as a plain token) and shapes the answer. The chosen ids go to
 * {@code config.recipesFolderId} / {@code config.invoicesFolderId}.
 */
@Component
public class GoogleDriveFolderBrowser implements FolderBrowser {

    static final String ROUTE = "direct:google-drive.folders.list";

    private final ProducerTemplate producer;
    private final ObjectMapper mapper;

    public GoogleDriveFolderBrowser(ProducerTemplate producer, ObjectMapper mapper) {
        this.producer = producer;
        this.mapper = mapper;
    }

    @Override
    public String provider() {
        return GoogleDriveWatch.PROVIDER;
    }

    @Override
    public Listing list(UUID tenantId, Connection connection, String parentId, String cursor) {
        if (parentId != null && !GoogleDriveTree.ID.matcher(parentId).matches()) {
            throw ProblemException.badRequest("parentId is not a Google Drive id.", new FieldError("parentId", "malformed"));
        }
        if (cursor != null && !GoogleDriveTree.TOKEN.matcher(cursor).matches()) {
            throw ProblemException.badRequest("cursor is not one this listing handed out.", new FieldError("cursor", "malformed"));
        }
        Exchange result = producer.send(ROUTE, exchange -> {
            exchange.setProperty(ProviderCalls.TENANT, tenantId);
            exchange.setProperty(ProviderCalls.CONNECTION, connection.id());
            exchange.setProperty("DriveParentId", parentId == null ? "root" : parentId);
            exchange.setProperty("DrivePageToken", cursor);
        });
        if (result.getException() instanceof ProviderCallException e) {
            if (e.status() == 404) {
                throw ProblemException.notFound("Google Drive folder " + parentId);
            }
            throw new ProblemException(Problem.of(502, "provider-failed", "Google Drive did not list the folders", e.getMessage()));
        }
        if (result.getException() != null) {
            throw new IllegalStateException(result.getException());
        }
        try {
            JsonNode answer = mapper.readTree(result.getMessage().getBody(String.class));
            JsonNode parent = answer.path("parent");
            if (!GoogleDriveTree.FOLDER_MIME.equals(parent.path("mimeType").asText())) {
                throw ProblemException.unprocessable("That Drive item is not a folder.", new FieldError("parentId", "not a folder"));
            }
            boolean root = parentId == null || !parent.has("parents");
            List<Folder> folders = new ArrayList<>();
            for (JsonNode child : answer.path("page").path("files")) {
                folders.add(new Folder(child.path("id").asText(), child.path("name").asText(), null, null));
            }
            return new Listing(new Folder(parent.path("id").asText(), root ? "root" : parent.path("name").asText(),
                    root ? "/" : null, null), folders, answer.path("page").path("nextPageToken").asText(null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
