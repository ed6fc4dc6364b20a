package io.integrationhub.provider.microsoft.onedrive;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.provider.microsoft.graph.GraphClient.Reply;
import io.integrationhub.provider.microsoft.graph.GraphClient.Request;
import io.integrationhub.provider.microsoft.graph.GraphClient;

/**
 * REST operations with file bodies ({@code api-onedrive.camel.yaml}): the multipart upload
 * ({@code uploadConnectionFile}) and the streamed download ({@code downloadConnectionFile}).
 *
 * <p>Upload: Spring's multipart resolver has the servlet container spool the part to disk as the request
 * arrives, and Camel's platform-http hands the part over as a file; it is read from there fragment by fragment.
 *
 * <p>Download: Graph's {@code 302} download URL is fetched on a worker thread through {@link GraphClient}
 * (anonymous, streamed to a sink) into a pipe whose reading end is the response body, so the bytes flow to the
 * caller as they arrive. A failure after the first byte aborts the response instead of ending it quietly.
 */
@Component("oneDriveFilesApi")
public class OneDriveFilesApi implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(OneDriveFilesApi.class);
    private static final java.util.regex.Pattern ITEM_ID = java.util.regex.Pattern.compile("[A-Za-z0-9!._-]{1,256}");
    private static final int PIPE_BUFFER = 64 * 1024;

    private final ApiExchange api;
    private final OneDriveJobFiles files;
    private final GraphClient graph;
    private final ObjectMapper mapper;
    private final ThreadPoolExecutor downloads;
    private final jakarta.servlet.ServletContext servlet;

    public OneDriveFilesApi(ApiExchange api, OneDriveJobFiles files, GraphClient graph, ObjectMapper mapper,
            OneDriveProperties properties, jakarta.servlet.ServletContext servlet) {
        this.servlet = servlet;
        this.api = api;
        this.files = files;
        this.graph = graph;
        this.mapper = mapper;
        AtomicInteger n = new AtomicInteger();
        this.downloads = new ThreadPoolExecutor(0, properties.getMaxConcurrentDownloads(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "onedrive-download-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    public void uploadConnectionFile(Exchange exchange) throws IOException {
        // platform-http moves each part into the container's temp dir; only files in it are taken (or deleted).
        Object tempdir = servlet.getAttribute(jakarta.servlet.ServletContext.TEMPDIR);
        Path partsDir = tempdir instanceof File dir ? dir.toPath().toAbsolutePath().normalize() : null;
        Part part = part(exchange);
        if (part != null && (partsDir == null || !part.file().toAbsolutePath().normalize().startsWith(partsDir))) {
            part = null;
        }
        try {
            UUID tenant = api.tenant(exchange);
            Connection connection = files.active(tenant, api.uuidParam(exchange, "id"));
            if (part == null) {
                throw ProblemException.badRequest("Send the file as the multipart part 'file'.", new FieldError("file", "required"));
            }
            String jobRef = field(exchange, "jobRef", 512, true);
            String folder = field(exchange, "folder", 250, false);
            String fileName = field(exchange, "fileName", 250, false);
            if (fileName == null) {
                fileName = part.name() == null || part.name().isBlank() ? null : part.name();
            }
            if (fileName == null) {
                throw ProblemException.badRequest("'fileName' is required when the file part has no file name",
                        new FieldError("fileName", "required"));
            }
            String contentType = field(exchange, "contentType", 255, false);
            if (contentType == null) {
                contentType = part.contentType();
            }
            String behavior = field(exchange, "conflictBehavior", 16, false);
            JsonNode item = files.upload(connection, tenant, jobRef, folder, fileName, contentType,
                    OneDriveUploadSource.of(part.file()), behavior);
            ObjectNode result = mapper.createObjectNode();
            result.put("externalId", item.path("id").asText());
            result.putNull("localRef");
            result.put("version", item.path("eTag").asText(null));
            result.put("outcome", "created");
            result.set("response", item);
            api.respond(exchange, 200, result);
        } catch (ProviderCallException e) {
            throw new ProblemException(Problem.of(502, "provider-failed", "The provider did not accept the upload",
                    e.getMessage()));
        } finally {
            discardParts(exchange, part, partsDir);
        }
    }

    public void downloadConnectionFile(Exchange exchange) throws IOException {
        UUID tenant = api.tenant(exchange);
        Connection connection = files.active(tenant, api.uuidParam(exchange, "id"));
        String itemId = itemId(exchange.getMessage().getHeader("itemId", String.class), "itemId");
        GraphClient.Session session = graph.session(OneDriveJobFiles.PROVIDER, tenant, connection.id());
        JsonNode item;
        String location;
        try {
            item = OneDriveActions.metadata(session, itemId);
            location = downloadUrl(session, itemId);
        } catch (ProblemException e) {
            throw e;
        } catch (ProviderCallException e) {
            throw new ProblemException(Problem.of(502, "provider-failed", "The provider did not give the file",
                    e.getMessage()));
        }
        Pipe pipe = new Pipe();
        try {
            downloads.execute(() -> pipe.fill(session, location));
        } catch (RejectedExecutionException e) {
            throw new ProblemException(Problem.of(503, "too-busy", "Too many downloads",
                    "This instance is streaming as many downloads as it may; try again shortly."));
        }
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        String type = item.path("file").path("mimeType").asText("application/octet-stream");
        message.setHeader(Exchange.CONTENT_TYPE, type.isBlank() ? "application/octet-stream" : type);
        message.setHeader(Exchange.CONTENT_LENGTH, item.path("size").asLong());
        message.setHeader("Content-Disposition", "attachment; filename*=UTF-8''"
                + URLEncoder.encode(item.path("name").asText("file"), StandardCharsets.UTF_8).replace("+", "%20"));
        message.setBody(pipe.reader);
    }

    /** The pre-authenticated URL Graph redirects {@code GET /me/drive/items/{itemId}/content} to. */
    static String downloadUrl(GraphClient.Session session, String itemId) {
        Reply content = session.route(OneDriveFolders.CONTENT, OneDriveFolders.address(itemId, null, null), null,
                status -> status == 404);
        if (content.status() == 404) {
            throw ProblemException.notFound("OneDrive item " + itemId);
        }
        String location = content.header("Location");
        if (content.status() != 302 || location == null) {
            throw new ProblemException(Problem.of(502, "provider-failed", "The provider did not offer the content",
                    "Microsoft Graph answered " + content.status() + " without a download URL"));
        }
        return location;
    }

    /**
     * The reading end is the response body; the worker writes what Graph sends. A failed download makes the
     * reader fail (instead of a quiet, short end of stream); a reader that went away (the client disconnected)
     * stops the worker without the resilience layer fetching the body again.
     */
    private static final class Pipe {
        private volatile Throwable failure;
        private final PipedOutputStream writer;
        final PipedInputStream reader = new PipedInputStream(PIPE_BUFFER) {
            @Override
            public synchronized int read() throws IOException {
                return check(super.read());
            }

            @Override
            public synchronized int read(byte[] b, int off, int len) throws IOException {
                return check(super.read(b, off, len));
            }

            private int check(int n) throws IOException {
                if (n < 0 && failure != null) {
                    throw new IOException("the download from OneDrive broke off", failure);
                }
                return n;
            }
        };

        Pipe() throws IOException {
            writer = new PipedOutputStream(reader); // connected before the reader can ask for a byte
        }

        void fill(GraphClient.Session session, String location) {
            try (PipedOutputStream pipe = writer) {
                OutputStream sink = new java.io.FilterOutputStream(pipe) {
                    @Override
                    public void write(byte[] b, int off, int len) {
                        try {
                            pipe.write(b, off, len);
                        } catch (IOException gone) {
                            throw new ProviderCallException(ProviderCallException.Kind.REJECTED, 0,
                                    "the caller stopped reading the download", null);
                        }
                    }

                    @Override
                    public void write(int b) {
                        write(new byte[] {(byte) b}, 0, 1);
                    }
                };
                session.send(Request.of("GET", location).anonymous().streamTo(sink));
            } catch (RuntimeException | IOException e) {
                failure = e;
                LOG.info("Download from OneDrive ended early: {}", e.getMessage());
            }
        }
    }

    /** The multipart file part: a file on disk (platform-http's copy), its name and type as the client sent them. */
    private record Part(Path file, String name, String contentType) {
    }

    /** Deletes platform-http's copies of every file part (the container removes only its own). */
    private static void discardParts(Exchange exchange, Part part, Path partsDir) {
        java.util.Set<Path> files = new java.util.HashSet<>();
        if (part != null) {
            files.add(part.file());
        }
        if (exchange.getMessage() instanceof AttachmentMessage am && am.hasAttachments()) {
            am.getAttachmentObjects().values().forEach(a -> {
                if (a.getDataHandler().getDataSource() instanceof org.apache.camel.attachment.CamelFileDataSource ds) {
                    files.add(ds.getFile().toPath());
                }
            });
        }
        for (Path file : files) {
            if (partsDir == null || !file.toAbsolutePath().normalize().startsWith(partsDir)) {
                continue;
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("Temporary upload file not deleted: {}", e.getClass().getSimpleName());
            }
        }
    }

    /** The file part, or null when the request has none. */
    private static Part part(Exchange exchange) {
        var message = exchange.getMessage();
        String name = message.getHeader(Exchange.FILE_NAME, String.class);
        String type = message.getHeader("CamelFileContentType", String.class);
        String path = message.getHeader("CamelFilePath", String.class);
        if (path != null) {
            return new Part(Path.of(path), name, type);
        }
        Object body = message.getBody();
        if (body instanceof Path p) {
            return new Part(p, name, type);
        }
        if (body instanceof File f) {
            return new Part(f.toPath(), name, type);
        }
        if (exchange.getMessage() instanceof AttachmentMessage am && am.hasAttachments()) {
            var attachment = am.getAttachmentObjects().entrySet().iterator().next();
            if (attachment.getValue().getDataHandler().getDataSource() instanceof org.apache.camel.attachment.CamelFileDataSource ds) {
                return new Part(ds.getFile().toPath(), ds.getName(), ds.getContentType());
            }
        }
        return null;
    }

    private static String field(Exchange exchange, String name, int max, boolean required) {
        Object raw = exchange.getMessage().getHeader(name);
        if (raw instanceof java.util.Collection<?> many) {
            throw ProblemException.badRequest("'" + name + "' was sent more than once", new FieldError(name, "sent twice"));
        }
        String value = raw == null ? null : raw.toString();
        if (value == null || value.isBlank()) {
            if (required) {
                throw ProblemException.badRequest("'" + name + "' is required", new FieldError(name, "required"));
            }
            return null;
        }
        if (value.length() > max) {
            throw ProblemException.badRequest("'" + name + "' is longer than " + max + " characters",
                    new FieldError(name, "at most " + max + " characters"));
        }
        return value;
    }

    /** A Graph item id as a path segment: letters, digits and {@code ! . _ -} only (400 otherwise). */
    static String itemId(String value, String field) {
        if (value == null || !ITEM_ID.matcher(value).matches()) {
            throw ProblemException.badRequest("'itemId' is not a OneDrive item id", new FieldError(field, "not an item id"));
        }
        return value;
    }

    @Override
    public void destroy() {
        downloads.shutdownNow();
    }
}
