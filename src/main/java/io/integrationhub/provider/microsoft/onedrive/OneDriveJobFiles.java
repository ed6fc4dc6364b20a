package io.integrationhub.provider.microsoft.onedrive;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.provider.microsoft.graph.GraphClient;
import io.integrationhub.provider.microsoft.graph.JobFiles;

/** {@link JobFiles} over the OneDrive family's folders and uploads. */
@Service
public class OneDriveJobFiles implements JobFiles {

    static final String PROVIDER = "onedrive";

    private final ConnectionRepository connections;
    private final GraphClient graph;
    private final OneDriveFolders folders;
    private final OneDriveUploads uploads;
    private final OneDriveSettings settings;
    private final OneDriveProperties properties;

    public OneDriveJobFiles(ConnectionRepository connections, GraphClient graph, OneDriveFolders folders,
            OneDriveUploads uploads, OneDriveSettings settings, OneDriveProperties properties) {
        this.properties = properties;
        this.connections = connections;
        this.graph = graph;
        this.folders = folders;
        this.uploads = uploads;
        this.settings = settings;
    }

    @Override
    public Optional<UUID> driveConnection(UUID tenantId) {
        return connections.list(tenantId, PROVIDER, ConnectionStatus.ACTIVE.wire()).stream()
                .min(Comparator.comparing(Connection::createdAt)).map(Connection::id);
    }

    @Override
    public String ensureFolder(UUID tenantId, UUID driveConnectionId, String jobRef, String subFolder) {
        Connection connection = active(tenantId, driveConnectionId);
        return folders.ensure(graph.session(PROVIDER, tenantId, connection.id()), tenantId, connection.id(),
                connection.config(), jobRef, null, subFolder).idOf(subFolder);
    }

    @Override
    public JsonNode upload(UUID tenantId, UUID driveConnectionId, String jobRef, String subFolder, String fileName,
            String contentType, InputStream content, long size) {
        Connection connection = active(tenantId, driveConnectionId);
        if (size < 0) {
            throw ProblemException.badRequest("the size of the content must be known", new FieldError("/size", "negative"));
        }
        try {
            // A small file is read first (at most simple-upload-limit), so it can be sent again should its folder
            // have to be created anew; a big one is streamed (its folder is checked before the first byte is read).
            OneDriveUploadSource source = size <= properties.getSimpleUploadLimit().toBytes()
                    ? OneDriveUploadSource.of(content.readNBytes((int) size))
                    : OneDriveUploadSource.once(content, size);
            if (source.size() != size) {
                throw ProblemException.unprocessable("The content ended after " + source.size() + " of its " + size
                        + " bytes.", new FieldError("/content", "shorter than its declared size"));
            }
            return upload(connection, tenantId, jobRef, subFolder, fileName, contentType, source, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ensures the job's folders and uploads into {@code subFolder}; a linked sub-folder that was deleted in
     * OneDrive meanwhile is created again and the upload repeated once (when the source can be read again).
     */
    JsonNode upload(Connection connection, UUID tenantId, String jobRef, String subFolder, String fileName,
            String contentType, OneDriveUploadSource source, String conflictBehavior) throws IOException {
        return upload(graph.session(PROVIDER, tenantId, connection.id()), tenantId, connection.id(), connection.config(),
                jobRef, subFolder, fileName, contentType, source, conflictBehavior);
    }

    ObjectNode upload(GraphClient.Session session, UUID tenantId, UUID connectionId, JsonNode config, String jobRef,
            String subFolder, String fileName, String contentType, OneDriveUploadSource source, String conflictBehavior)
            throws IOException {
        String behavior = conflictBehavior != null ? conflictBehavior : settings.of(config).conflictBehavior();
        for (int attempt = 0; ; attempt++) {
            String parentId = folders.ensure(session, tenantId, connectionId, config, jobRef, null, subFolder).idOf(subFolder);
            try {
                return uploads.upload(session, parentId, fileName, contentType, source, behavior);
            } catch (OneDriveUploads.ParentGone gone) {
                folders.forget(tenantId, connectionId, jobRef, subFolder);
                if (attempt > 0) {
                    throw ProblemException.conflict("The job's OneDrive folder keeps disappearing; try again later.");
                }
            }
        }
    }

    @Override
    public DriveFile read(UUID tenantId, UUID driveConnectionId, String itemId, long maxBytes) {
        Connection connection = active(tenantId, driveConnectionId);
        GraphClient.Session session = graph.session(PROVIDER, tenantId, connection.id());
        JsonNode item = OneDriveActions.metadata(session, itemId);
        long size = item.path("size").asLong(-1);
        if (size > maxBytes) {
            throw ProblemException.unprocessable("OneDrive item " + itemId + " has " + size + " bytes; at most " + maxBytes
                    + " are taken.", new FieldError("/itemId", "larger than " + maxBytes + " bytes"));
        }
        String location = OneDriveFilesApi.downloadUrl(session, itemId);
        Bounded sink = new Bounded(maxBytes);
        try {
            session.send(GraphClient.Request.of("GET", location).anonymous().streamTo(sink));
        } catch (RuntimeException e) {
            if (sink.overflow) {
                throw ProblemException.unprocessable("OneDrive item " + itemId + " is larger than " + maxBytes + " bytes.",
                        new FieldError("/itemId", "larger than " + maxBytes + " bytes"));
            }
            throw e;
        }
        String type = item.path("file").path("mimeType").asText("");
        return new DriveFile(item.path("name").asText(itemId), type.isBlank() ? "application/octet-stream" : type,
                sink.toByteArray());
    }

    /** The download's bytes in memory, refusing more than the limit (a file that grew since its metadata was read). */
    private static final class Bounded extends java.io.ByteArrayOutputStream {
        private final long max;
        volatile boolean overflow;

        Bounded(long max) {
            this.max = max;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + (long) len > max) {
                overflow = true;
                throw new UncheckedIOException(new IOException("more than " + max + " bytes"));
            }
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    Connection active(UUID tenantId, UUID connectionId) {
        Connection connection = connections.find(tenantId, connectionId)
                .filter(c -> PROVIDER.equals(c.provider()))
                .orElseThrow(() -> ProblemException.notFound("OneDrive connection " + connectionId));
        if (connection.status() != ConnectionStatus.ACTIVE) {
            throw ProblemException.unprocessable("The OneDrive connection is " + connection.status().wire() + ".",
                    new FieldError("/status", connection.status().wire()));
        }
        return connection;
    }
}
