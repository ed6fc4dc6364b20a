package io.integrationhub.provider.microsoft.onedrive;

import java.io.IOException;
import java.io.InputStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.provider.microsoft.graph.GraphClient.Reply;
import io.integrationhub.provider.microsoft.graph.GraphClient.Request;
import io.integrationhub.provider.microsoft.graph.GraphClient;

/**
 * Uploads a file into a OneDrive folder the way Graph documents it (providers.md §1.3, driveitem-put-content and
 * driveitem-createuploadsession):
 * <ul>
 * <li>up to {@code simple-upload-limit} (4 MiB): one {@code PUT /items/{parent}:/{name}:/content};</li>
 * <li>above: {@code createUploadSession}, then fragments of {@code chunk-size} (a multiple of 320 KiB) PUT to the
 * pre-authenticated {@code uploadUrl} without the bearer token, each with {@code Content-Range: bytes
 * a-b/total}. The resilience layer retries a failed fragment (5xx, 429 after {@code Retry-After}, connection
 * errors); when it gives up, or Graph answers {@code 416} for a range it already has, the upload asks the
 * session ({@code GET uploadUrl}) for {@code nextExpectedRanges} and resumes there. A session Graph dropped
 * ({@code 404}) starts over in a new one when the source can be read again. A {@code 409 nameAlreadyExists} on
 * the last fragment is committed explicitly with {@code @microsoft.graph.sourceUrl} under the conflict
 * behaviour (or, for {@code fail}, cancelled and reported).</li>
 * </ul>
 * Memory: one fragment (plus the previous one, for resuming inside it) whatever the file size; the source is
 * read as fragments are sent.
 */
@Component
public class OneDriveUploads {

    private static final Logger LOG = LoggerFactory.getLogger(OneDriveUploads.class);

    private final OneDriveProperties properties;
    private final ObjectMapper mapper;

    public OneDriveUploads(OneDriveProperties properties, ObjectMapper mapper) {
        this.properties = properties;
        this.mapper = mapper;
    }

    /** The target folder does not exist (any more): Graph answered 404 for it. */
    public static final class ParentGone extends RuntimeException {
        ParentGone() {
            super("the OneDrive folder no longer exists", null, false, false);
        }
    }

    /**
     * Stores the source as {@code fileName} in folder {@code parentId} and returns the driveItem (without the
     * pre-authenticated {@code @microsoft.graph.downloadUrl}). IOException: the source could not be read.
     */
    public ObjectNode upload(GraphClient.Session graph, String parentId, String fileName, String contentType,
            OneDriveUploadSource source, String conflictBehavior) throws IOException {
        String problem = OneDriveSettings.nameProblem(fileName);
        if (problem != null) {
            throw ProblemException.badRequest("'fileName' " + problem, new FieldError("/fileName", problem));
        }
        String behavior = conflictBehavior == null ? properties.getConflictBehavior() : conflictBehavior;
        if (!OneDriveSettings.CONFLICT_BEHAVIORS.contains(behavior)) {
            throw ProblemException.badRequest("'conflictBehavior' must be rename, replace or fail",
                    new FieldError("/conflictBehavior", "rename, replace or fail"));
        }
        if (source.size() < 0) {
            throw ProblemException.badRequest("the size of the content is unknown");
        }
        return source.size() <= properties.getSimpleUploadLimit().toBytes()
                ? simple(graph, parentId, fileName, contentType, source, behavior)
                : session(graph, parentId, fileName, source, behavior);
    }

    private ObjectNode simple(GraphClient.Session graph, String parentId, String fileName, String contentType,
            OneDriveUploadSource source, String behavior) throws IOException {
        byte[] content;
        try (InputStream in = source.open()) {
            content = in.readNBytes((int) source.size());
        }
        if (content.length != source.size()) {
            throw shortContent(content.length, source.size());
        }
        String url = graph.url(OneDriveFolders.item(parentId) + ":" + GraphClient.encodePath(fileName)
                + ":/content?@microsoft.graph.conflictBehavior=" + behavior);
        Reply reply = graph.send(Request.of("PUT", url).bytes(content, contentType == null || contentType.isBlank()
                ? "application/octet-stream" : contentType), status -> status == 404 || status == 409);
        if (reply.status() == 404) {
            throw new ParentGone();
        }
        if (reply.status() == 409) {
            throw nameTaken(fileName);
        }
        return clean(reply.json());
    }

    private ObjectNode session(GraphClient.Session graph, String parentId, String fileName, OneDriveUploadSource source,
            String behavior) throws IOException {
        for (int restart = 0; ; restart++) {
            String uploadUrl = createSession(graph, parentId, fileName, source.size(), behavior);
            InputStream in;
            try {
                in = source.open();
            } catch (IOException e) {
                cancelQuietly(graph, uploadUrl);
                if (restart == 0) {
                    throw e;
                }
                throw new ProviderCallException(ProviderCallException.Kind.UNAVAILABLE, 404, "Microsoft Graph dropped the "
                        + "upload session and the content cannot be read a second time to start over", null);
            }
            ObjectNode item;
            try (in) {
                item = send(graph, uploadUrl, in, source.size(), parentId, fileName, behavior);
            } catch (ProviderCallException e) {
                if (e.kind() != ProviderCallException.Kind.UNAVAILABLE) {
                    cancelQuietly(graph, uploadUrl);
                }
                throw e;
            } catch (IOException | RuntimeException e) {
                cancelQuietly(graph, uploadUrl);
                throw e;
            }
            if (item != null) {
                return clean(item);
            }
            if (restart >= properties.getMaxRestarts()) {
                throw new ProviderCallException(ProviderCallException.Kind.UNAVAILABLE, 404,
                        "Microsoft Graph kept dropping the upload session", null);
            }
            LOG.info("Upload session for '{}' no longer exists; starting over in a new session", fileName);
        }
    }

    private String createSession(GraphClient.Session graph, String parentId, String fileName, long size, String behavior) {
        ObjectNode body = mapper.createObjectNode();
        ObjectNode item = body.putObject("item");
        item.put("@microsoft.graph.conflictBehavior", behavior);
        item.put("name", fileName);
        item.put("fileSize", size);
        Reply reply = graph.send(Request.of("POST", graph.url(OneDriveFolders.item(parentId) + ":"
                + GraphClient.encodePath(fileName) + ":/createUploadSession")).json(body), status -> status == 404 || status == 409);
        if (reply.status() == 404) {
            throw new ParentGone();
        }
        if (reply.status() == 409) {
            throw nameTaken(fileName);
        }
        String url = reply.json().path("uploadUrl").asText("");
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw new ProviderCallException(ProviderCallException.Kind.REJECTED, reply.status(),
                    "Microsoft Graph created an upload session without an uploadUrl", null);
        }
        return url;
    }

    /**
     * Sends the fragments; returns the driveItem, or null when the session is gone and the upload must start
     * over. {@code next} is where Graph expects the next byte; {@code read} how far the stream was read;
     * {@code previous} the last fragment sent (from {@code previousStart}), kept to resume inside it.
     */
    private ObjectNode send(GraphClient.Session graph, String uploadUrl, InputStream in, long total, String parentId,
            String fileName, String behavior) throws IOException {
        int chunk = (int) properties.getChunkSize().toBytes();
        long next = 0;
        long read = 0;
        byte[] previous = null;
        long previousStart = 0;
        int resumes = 0;
        boolean lastSent = false;
        while (true) {
            if (next >= total) {
                return lastSent ? alreadyCommitted(graph, parentId, fileName, total) : null;
            }
            int length = (int) Math.min(chunk, total - next);
            byte[] fragment = new byte[length];
            int filled = 0;
            if (next < read) {
                if (previous == null || next < previousStart) {
                    return null; // Graph wants bytes from before the fragment still in memory: start over
                }
                filled = (int) Math.min(length, read - next);
                System.arraycopy(previous, (int) (next - previousStart), fragment, 0, filled);
            } else if (next > read) {
                return null; // Graph claims bytes this upload never sent
            }
            while (filled < length) {
                int n = in.read(fragment, filled, length - filled);
                if (n < 0) {
                    throw shortContent(read, total);
                }
                filled += n;
                read += n;
            }
            previous = fragment;
            previousStart = next;
            boolean last = next + length == total;
            Reply reply;
            try {
                reply = graph.send(Request.of("PUT", uploadUrl).anonymous().bytes(fragment, "application/octet-stream")
                        .header("Content-Range", "bytes " + next + "-" + (next + length - 1) + "/" + total),
                        status -> status == 404 || status == 409 || status == 416);
            } catch (ProviderCallException e) {
                if (e.kind() != ProviderCallException.Kind.UNAVAILABLE || ++resumes > properties.getMaxResumes()) {
                    throw e;
                }
                LOG.info("Fragment {}-{} of '{}' failed after retries ({}); resuming from the session's nextExpectedRanges",
                        next, next + length - 1, fileName, e.getMessage());
                lastSent |= last;
                Long expected = expected(graph, uploadUrl, total);
                if (expected == null) {
                    return lastSent ? alreadyCommitted(graph, parentId, fileName, total) : null;
                }
                next = expected;
                continue;
            }
            lastSent |= last;
            switch (reply.status()) {
                case 200, 201 -> {
                    return (ObjectNode) reply.json();
                }
                case 202 -> next = firstExpected(reply.json(), next + length);
                case 416 -> {
                    if (++resumes > properties.getMaxResumes()) {
                        throw new ProviderCallException(ProviderCallException.Kind.REJECTED, 416,
                                "Microsoft Graph kept refusing the upload's byte ranges", null);
                    }
                    LOG.info("Graph already has bytes {}-{} of '{}'; resuming from nextExpectedRanges", next,
                            next + length - 1, fileName);
                    Long expected = expected(graph, uploadUrl, total);
                    if (expected == null) {
                        return lastSent ? alreadyCommitted(graph, parentId, fileName, total) : null;
                    }
                    next = expected;
                }
                case 404 -> {
                    return lastSent ? alreadyCommitted(graph, parentId, fileName, total) : null;
                }
                case 409 -> {
                    return commitUnderConflict(graph, uploadUrl, parentId, fileName, behavior);
                }
                default -> throw new ProviderCallException(ProviderCallException.Kind.REJECTED, reply.status(),
                        "Microsoft Graph answered " + reply.status() + " to an upload fragment", null);
            }
        }
    }

    /** Where the session expects the next byte ({@code GET uploadUrl}); null when the session is gone or complete. */
    private Long expected(GraphClient.Session graph, String uploadUrl, long total) {
        Reply status = graph.send(Request.of("GET", uploadUrl).anonymous(), s -> s == 404);
        if (status.status() == 404) {
            return null;
        }
        long expected = firstExpected(status.json(), total);
        return expected >= total ? null : expected;
    }

    private static long firstExpected(JsonNode answer, long fallback) {
        JsonNode ranges = answer.path("nextExpectedRanges");
        if (!ranges.isArray() || ranges.isEmpty()) {
            return fallback;
        }
        String first = ranges.get(0).asText();
        int dash = first.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? first : first.substring(0, dash));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * The last fragment went out but its answer was lost, and the session is gone since: Graph most likely
     * committed the file. It is taken when an item of that name and size is there; otherwise the upload starts over.
     */
    private ObjectNode alreadyCommitted(GraphClient.Session graph, String parentId, String fileName, long total) {
        Reply found = graph.send(Request.of("GET", graph.url(OneDriveFolders.item(parentId) + ":"
                + GraphClient.encodePath(fileName))), s -> s == 404);
        if (found.status() < 300 && found.json().has("file") && found.json().path("size").asLong(-1) == total) {
            return (ObjectNode) found.json();
        }
        return null;
    }

    /**
     * {@code 409 nameAlreadyExists} on the last fragment: Graph keeps the session, and documents committing it
     * explicitly with a PUT of the item carrying {@code @microsoft.graph.sourceUrl}. With conflict behaviour
     * {@code fail} the session is cancelled and the conflict reported instead.
     */
    private ObjectNode commitUnderConflict(GraphClient.Session graph, String uploadUrl, String parentId, String fileName,
            String behavior) {
        if ("fail".equals(behavior)) {
            cancelQuietly(graph, uploadUrl);
            throw nameTaken(fileName);
        }
        LOG.info("'{}' was taken while it uploaded; committing the session explicitly with conflict behaviour {}",
                fileName, behavior);
        ObjectNode body = mapper.createObjectNode();
        body.put("name", fileName);
        body.put("@microsoft.graph.conflictBehavior", behavior);
        body.put("@microsoft.graph.sourceUrl", uploadUrl);
        Reply reply = graph.send(Request.of("PUT", graph.url(OneDriveFolders.item(parentId))).json(body),
                status -> status == 404 || status == 409);
        if (reply.status() == 409) {
            cancelQuietly(graph, uploadUrl);
            throw nameTaken(fileName);
        }
        if (reply.status() == 404) {
            throw new ParentGone();
        }
        return (ObjectNode) reply.json();
    }

    private void cancelQuietly(GraphClient.Session graph, String uploadUrl) {
        try {
            graph.send(Request.of("DELETE", uploadUrl).anonymous(), status -> status == 404);
        } catch (RuntimeException e) {
            LOG.info("Upload session not cancelled ({}); it expires on its own", e.getClass().getSimpleName());
        }
    }

    /** The driveItem without what must not leave the hub: the pre-authenticated download URL. */
    static ObjectNode clean(JsonNode item) {
        ObjectNode copy = item.isObject() ? ((ObjectNode) item).deepCopy() : new ObjectMapper().createObjectNode();
        copy.remove("@microsoft.graph.downloadUrl");
        copy.remove("@odata.context");
        return copy;
    }

    private static ProblemException nameTaken(String fileName) {
        return ProblemException.conflict("A file named '" + fileName + "' already exists in that folder "
                + "(conflictBehavior fail).");
    }

    private static ProblemException shortContent(long got, long size) {
        return ProblemException.unprocessable("The content ended after " + got + " of its " + size + " bytes.",
                new FieldError("/content", "shorter than its declared size"));
    }
}
