package io.integrationhub.provider.googledrive;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderCalls;

/**
 * {@code GET /api/v1/connections/{id}/files/{itemId}/content} of a {@code google-drive} connection (route
 * {@code api.downloadConnectionFile} picks this bean for them): the file's metadata through the component
 * ({@code files.get}, route {@value #METADATA}), then its bytes — {@code alt=media}, or a Google Doc/Sheet/Slides
 * exported as PDF ({@code files.export}) — from route {@value #CONTENT} through the provider endpoint, copied into a
 * pipe whose reading end is the response body, so the hub never holds the file. The component cannot do this part:
 * its producer executes requests for their parsed model, never as a stream ({@code executeMediaAsInputStream}).
 */
@Component("googleDriveFiles")
public class GoogleDriveFiles implements DisposableBean {

    static final String METADATA = "direct:google-drive.file.metadata";
    static final String CONTENT = "direct:google-drive.file.content";
    static final String EXPORT_MIME = "application/pdf";
    private static final Logger LOG = LoggerFactory.getLogger(GoogleDriveFiles.class);

    private final ApiExchange api;
    private final ConnectionService connections;
    private final ProducerTemplate producer;
    private final ObjectMapper mapper;
    private final ThreadPoolExecutor downloads;

    public GoogleDriveFiles(ApiExchange api, ConnectionService connections, ProducerTemplate producer, ObjectMapper mapper,
            @Value("${hub.google-drive.max-concurrent-downloads:16}") int maxDownloads) {
        this.api = api;
        this.connections = connections;
        this.producer = producer;
        this.mapper = mapper;
        AtomicInteger n = new AtomicInteger();
        this.downloads = new ThreadPoolExecutor(0, maxDownloads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "google-drive-download-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Route predicate: the request's connection is a Google Drive one (of the caller's tenant). */
    public boolean owns(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        Connection connection = connections.get(tenant, api.uuidParam(exchange, "id"));
        return GoogleDriveWatch.PROVIDER.equals(connection.provider());
    }

    public void download(Exchange exchange) throws IOException {
        UUID tenant = api.tenant(exchange);
        Connection connection = connections.get(tenant, api.uuidParam(exchange, "id"));
        if (connection.status() != ConnectionStatus.ACTIVE) {
            throw ProblemException.unprocessable("The Google Drive connection is " + connection.status().wire() + ".",
                    new FieldError("/status", connection.status().wire()));
        }
        String itemId = exchange.getMessage().getHeader("itemId", String.class);
        if (itemId == null || !GoogleDriveTree.ID.matcher(itemId).matches()) {
            throw ProblemException.badRequest("'itemId' is not a Google Drive file id", new FieldError("itemId", "not a file id"));
        }
        Exchange meta = producer.send(METADATA, e -> {
            e.setProperty(ProviderCalls.TENANT, tenant);
            e.setProperty(ProviderCalls.CONNECTION, connection.id());
            e.setProperty("DriveFileId", itemId);
        });
        if (meta.getException() instanceof ProviderCallException e) {
            if (e.status() == 404) {
                throw ProblemException.notFound("Google Drive file " + itemId);
            }
            throw new ProblemException(Problem.of(502, "provider-failed", "The provider did not give the file", e.getMessage()));
        }
        if (meta.getException() != null) {
            throw new IllegalStateException(meta.getException());
        }
        JsonNode file = mapper.readTree(meta.getMessage().getBody(String.class));
        String mime = file.path("mimeType").asText("application/octet-stream");
        if (GoogleDriveTree.FOLDER_MIME.equals(mime)) {
            throw ProblemException.unprocessable("That Drive item is a folder.", new FieldError("itemId", "a folder"));
        }
        boolean export = mime.startsWith("application/vnd.google-apps.");
        String name = file.path("name").asText("file") + (export ? ".pdf" : "");
        Pipe pipe = new Pipe();
        try {
            downloads.execute(() -> pipe.fill(sink -> producer.send(CONTENT, e -> {
                e.setProperty(ProviderCalls.TENANT, tenant);
                e.setProperty(ProviderCalls.CONNECTION, connection.id());
                e.setProperty(ProviderCalls.SINK, sink);
                e.setProperty("DriveFileId", itemId);
                e.setProperty("DriveExport", export ? EXPORT_MIME : null);
            })));
        } catch (RejectedExecutionException e) {
            throw new ProblemException(Problem.of(503, "too-busy", "Too many downloads",
                    "This instance is streaming as many downloads as it may; try again shortly."));
        }
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, export ? EXPORT_MIME : mime);
        if (!export && file.path("size").canConvertToLong() && file.has("size")) {
            message.setHeader(Exchange.CONTENT_LENGTH, file.path("size").asLong());
        }
        message.setHeader("Content-Disposition", "attachment; filename*=UTF-8''"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        message.setBody(pipe.reader);
    }

    /** The reading end is the response body; a download that breaks off makes the reader fail, not end quietly. */
    private static final class Pipe {
        private volatile Throwable failure;
        private final PipedOutputStream writer;
        final PipedInputStream reader = new PipedInputStream(64 * 1024) {
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
                    throw new IOException("the download from Google Drive broke off", failure);
                }
                return n;
            }
        };

        Pipe() throws IOException {
            writer = new PipedOutputStream(reader);
        }

        void fill(java.util.function.Function<OutputStream, Exchange> call) {
            try (PipedOutputStream pipe = writer) {
                Exchange done = call.apply(pipe);
                if (done.getException() != null) {
                    failure = done.getException();
                    LOG.info("Download from Google Drive failed: {}", done.getException().getMessage());
                }
            } catch (RuntimeException | IOException e) {
                failure = e;
                LOG.info("Download from Google Drive ended early: {}", e.getMessage());
            }
        }
    }

    @Override
    public void destroy() {
        downloads.shutdownNow();
    }
}
