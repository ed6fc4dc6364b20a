package io.integrationhub.provider.microsoft.onedrive;

import java.io.IOException;
import java.util.Base64;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.provider.microsoft.graph.GraphClient.Reply;
import io.integrationhub.provider.microsoft.graph.GraphClient.Request;
import io.integrationhub.provider.microsoft.graph.GraphClient;

/**
 * The Java steps of the {@code onedrive} action routes (routes/microsoft/onedrive.camel.yaml; {@code POST
 * /api/v1/connections/{id}/actions/{action}}): the folder tree of {@code ensure-job-folders {jobRef, name?}} (find or
 * create each folder, one Graph call at a time), the streamed upload of {@code upload-file {jobRef, folder?, fileName,
 * contentType?, content | contentUrl, conflictBehavior?}} (simple PUT or upload session, chunk by chunk) and the input
 * and answer checks of {@code download-file {itemId}}, whose Graph call and result mapping are route steps. Each step
 * takes the action's {@code {data, link, config}} (or Graph's answer) and answers JSON for the route's mapping.
 */
@Component("oneDriveActions")
public class OneDriveActions {

    private final GraphClient graph;
    private final OneDriveFolders folders;
    private final OneDriveJobFiles files;
    private final OneDriveContentUrls contentUrls;
    private final OneDriveProperties properties;
    private final ObjectMapper mapper;

    public OneDriveActions(GraphClient graph, OneDriveFolders folders, OneDriveJobFiles files,
            OneDriveContentUrls contentUrls, OneDriveProperties properties, ObjectMapper mapper) {
        this.graph = graph;
        this.folders = folders;
        this.files = files;
        this.contentUrls = contentUrls;
        this.properties = properties;
        this.mapper = mapper;
    }

    /** Step of {@code onedrive.action.ensure-job-folders}: the job's folder tree, found or created. */
    public String ensureJobFolders(String action, Exchange exchange) throws IOException {
        JsonNode in = mapper.readTree(action);
        JsonNode data = in.path("data");
        String jobRef = required(data, "jobRef", 512);
        String name = optional(data, "name", 250);
        OneDriveFolders.JobFolders f = folders.ensure(session(exchange), tenant(exchange), connection(exchange),
                in.path("config"), jobRef, name, null);
        ObjectNode response = mapper.createObjectNode();
        response.put("jobRef", f.jobRef());
        response.put("folderId", f.folderId());
        response.put("folderName", f.folderName());
        ObjectNode subs = response.putObject("subFolders");
        f.subFolders().forEach(subs::put);
        f.created().forEach(response.putArray("created")::add);
        return response.toString();
    }

    /** Step of {@code onedrive.action.upload-file}: the content streamed to the job's folder; answers the driveItem. */
    public String uploadFile(String action, Exchange exchange) throws IOException {
        JsonNode in = mapper.readTree(action);
        JsonNode data = in.path("data");
        String jobRef = required(data, "jobRef", 512);
        String folder = optional(data, "folder", 250);
        String fileName = required(data, "fileName", 250);
        String contentType = optional(data, "contentType", 255);
        String behavior = optional(data, "conflictBehavior", 16);
        String content = optional(data, "content", Integer.MAX_VALUE);
        String contentUrl = optional(data, "contentUrl", 4096);
        if ((content == null) == (contentUrl == null)) {
            throw ProblemException.badRequest("Give either 'content' (base64) or 'contentUrl'.",
                    new FieldError("/content", "exactly one of content and contentUrl"));
        }
        GraphClient.Session session = session(exchange);
        JsonNode config = in.path("config");
        try {
            ObjectNode item;
            if (content != null) {
                long limit = properties.getMaxInlineContent().toBytes();
                if ((long) content.length() / 4 * 3 > limit + 2) {
                    throw ProblemException.unprocessable("'content' is larger than " + limit + " bytes; send bigger "
                            + "files by contentUrl or as multipart to POST /connections/{id}/files.",
                            new FieldError("/content", "larger than " + limit + " bytes"));
                }
                item = files.upload(session, tenant(exchange), connection(exchange), config, jobRef, folder, fileName,
                        contentType, OneDriveUploadSource.of(decode(content)), behavior);
            } else {
                try (OneDriveContentUrls.Fetched source = contentUrls.open(contentUrl)) {
                    item = files.upload(session, tenant(exchange), connection(exchange), config, jobRef, folder,
                            fileName, contentType, source, behavior);
                }
            }
            return item.toString();
        } catch (IOException e) {
            throw new ProblemException(Problem.of(422, "content-unreadable", "The content could not be read",
                    "Reading the content failed: " + e.getClass().getSimpleName()).withErrors(java.util.List.of(
                            new FieldError(content != null ? "/content" : "/contentUrl", "could not be read"))));
        }
    }

    /** Step of {@code onedrive.action.download-file}: the checked {@code itemId} (400 when it is not one). */
    public String itemId(String action) throws IOException {
        return OneDriveFilesApi.itemId(required(mapper.readTree(action).path("data"), "itemId", 256), "/itemId");
    }

    /** Step of {@code onedrive.action.download-file}: Graph's answer is a file's driveItem, else 404 or 422. */
    public void checkFile(@Header("ProviderStatus") int status, String item,
            @org.apache.camel.ExchangeProperty("GraphItemId") String itemId) throws IOException {
        if (status >= 400) {
            throw ProblemException.notFound("OneDrive item " + itemId);
        }
        if (!mapper.readTree(item).has("file")) {
            throw ProblemException.unprocessable("OneDrive item " + itemId + " is a folder, not a file.",
                    new FieldError("/itemId", "a folder"));
        }
    }

    private GraphClient.Session session(Exchange exchange) {
        return graph.session(exchange, OneDriveJobFiles.PROVIDER);
    }

    private static UUID tenant(Exchange exchange) {
        return exchange.getProperty(ProviderCalls.TENANT, UUID.class);
    }

    private static UUID connection(Exchange exchange) {
        return exchange.getProperty(ProviderCalls.CONNECTION, UUID.class);
    }

    /** A file's driveItem, or 404 problem+json when Graph has no such item (deleted) and 422 for a folder. */
    static JsonNode metadata(GraphClient.Session graph, String itemId) {
        Reply reply = graph.send(Request.of("GET", graph.url(OneDriveFolders.item(itemId))), status -> status == 404
                || status == 400);
        if (reply.status() >= 400) {
            throw ProblemException.notFound("OneDrive item " + itemId);
        }
        if (!reply.json().has("file")) {
            throw ProblemException.unprocessable("OneDrive item " + itemId + " is a folder, not a file.",
                    new FieldError("/itemId", "a folder"));
        }
        return reply.json();
    }

    static String required(JsonNode data, String field, int max) {
        String value = optional(data, field, max);
        if (value == null) {
            throw ProblemException.badRequest("'" + field + "' is required", new FieldError("/" + field, "required"));
        }
        return value;
    }

    static String optional(JsonNode data, String field, int max) {
        JsonNode v = data.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > max) {
            throw ProblemException.badRequest("'" + field + "' must be a non-blank string of at most " + max + " characters",
                    new FieldError("/" + field, "non-blank string, at most " + max + " characters"));
        }
        return v.asText();
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("'content' is not valid base64", new FieldError("/content", "not base64"));
        }
    }
}
