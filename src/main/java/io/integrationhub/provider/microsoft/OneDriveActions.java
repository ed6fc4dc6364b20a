package io.integrationhub.provider.microsoft;

import java.io.IOException;
import java.util.Base64;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.sync.PushTarget;
import io.integrationhub.platform.sync.SyncContext;
import io.integrationhub.provider.microsoft.GraphClient.Reply;
import io.integrationhub.provider.microsoft.GraphClient.Request;

/**
 * The {@code onedrive} actions ({@code POST /api/v1/connections/{id}/actions/{action}}):
 * {@code ensure-job-folders {jobRef, name?}}, {@code upload-file {jobRef, folder?, fileName, contentType?,
 * content | contentUrl, conflictBehavior?}} and {@code download-file {itemId}} (the file's metadata and the path
 * of {@code GET …/files/{itemId}/content}, which streams the bytes).
 */
@Configuration(proxyBeanMethods = false)
public class OneDriveActions {

    static final String PROVIDER = OneDriveJobFiles.PROVIDER;

    @Bean
    PushTarget oneDriveEnsureJobFolders(GraphClient graph, OneDriveFolders folders, ObjectMapper mapper) {
        return new Target("ensure-job-folders", "folder") {
            @Override
            public Result push(SyncContext context, JsonNode data, Link existing) {
                String jobRef = required(data, "jobRef", 512);
                String name = optional(data, "name", 250);
                OneDriveFolders.JobFolders f = folders.ensure(graph.session(context.http()), context.tenantId(),
                        context.connectionId(), context.config(), jobRef, name, null);
                ObjectNode response = mapper.createObjectNode();
                response.put("jobRef", f.jobRef());
                response.put("folderId", f.folderId());
                response.put("folderName", f.folderName());
                ObjectNode subs = response.putObject("subFolders");
                f.subFolders().forEach(subs::put);
                f.created().forEach(response.putArray("created")::add);
                return new Result(f.folderId(), null, response);
            }
        };
    }

    @Bean
    PushTarget oneDriveUploadFile(GraphClient graph, OneDriveJobFiles files, OneDriveContentUrls contentUrls,
            OneDriveProperties properties) {
        return new Target("upload-file", "file") {
            @Override
            public Result push(SyncContext context, JsonNode data, Link existing) {
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
                GraphClient.Session session = graph.session(context.http());
                try {
                    ObjectNode item;
                    if (content != null) {
                        long limit = properties.getMaxInlineContent().toBytes();
                        if ((long) content.length() / 4 * 3 > limit + 2) {
                            throw ProblemException.unprocessable("'content' is larger than " + limit + " bytes; send bigger "
                                    + "files by contentUrl or as multipart to POST /connections/{id}/files.",
                                    new FieldError("/content", "larger than " + limit + " bytes"));
                        }
                        item = files.upload(session, context.tenantId(), context.connectionId(), context.config(), jobRef,
                                folder, fileName, contentType, OneDriveUploadSource.of(decode(content)), behavior);
                    } else {
                        try (OneDriveContentUrls.Fetched source = contentUrls.open(contentUrl)) {
                            item = files.upload(session, context.tenantId(), context.connectionId(), context.config(),
                                    jobRef, folder, fileName, contentType, source, behavior);
                        }
                    }
                    return new Result(item.path("id").asText(), item.path("eTag").asText(null), item);
                } catch (IOException e) {
                    throw new ProblemException(Problem.of(422, "content-unreadable", "The content could not be read",
                            "Reading the content failed: " + e.getClass().getSimpleName()).withErrors(java.util.List.of(
                                    new FieldError(content != null ? "/content" : "/contentUrl", "could not be read"))));
                }
            }
        };
    }

    @Bean
    PushTarget oneDriveDownloadFile(GraphClient graph, ObjectMapper mapper) {
        return new Target("download-file", "file") {
            @Override
            public Result push(SyncContext context, JsonNode data, Link existing) {
                String itemId = OneDriveFilesApi.itemId(required(data, "itemId", 256), "/itemId");
                JsonNode item = metadata(graph.session(context.http()), itemId);
                ObjectNode response = OneDriveUploads.clean(item);
                response.put("contentPath", "/api/v1/connections/" + context.connectionId() + "/files/" + itemId + "/content");
                return new Result(itemId, item.path("eTag").asText(null), response);
            }
        };
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

    private abstract static class Target implements PushTarget {
        private final String action;
        private final String model;

        Target(String action, String model) {
            this.action = action;
            this.model = model;
        }

        @Override
        public String provider() {
            return PROVIDER;
        }

        @Override
        public String action() {
            return action;
        }

        @Override
        public String model() {
            return model;
        }
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
