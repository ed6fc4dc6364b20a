package io.integrationhub.provider.microsoft.graph;

import java.io.InputStream;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job's files in the tenant's OneDrive, for other parts of the hub (the Outlook mail family saves email
 * attachments through it). Folders follow the {@code onedrive} connection's configuration (root path and
 * sub-folder template, see docs/microsoft-onedrive.md) and are found again by the kept job ↔ folder link, so
 * they are never created twice.
 *
 * <p>Failures: {@link io.integrationhub.platform.resilience.ProviderCallException} (Graph unreachable, throttled
 * for too long, token revoked; {@link GraphClient.GraphException} for a Graph refusal) and
 * {@link io.integrationhub.platform.problem.ProblemException} for bad input (unknown or inactive connection, a
 * file where a folder should be, a name conflict with conflict behaviour {@code fail}).
 */
public interface JobFiles {

    /** The tenant's active {@code onedrive} connection (the oldest one when there are several). */
    Optional<UUID> driveConnection(UUID tenantId);

    /**
     * Ensures the job's folder and its template sub-folders (plus {@code subFolder} when it is not in the
     * template) and returns the id of {@code subFolder} (the job folder's own id when it is null or blank).
     * A job never linked before gets a folder named after {@code jobRef}.
     */
    String ensureFolder(UUID tenantId, UUID driveConnectionId, String jobRef, String subFolder);

    /**
     * Stores {@code size} bytes read from {@code content} as {@code fileName} in the job's {@code subFolder}
     * and returns the new driveItem (without its pre-authenticated download URL). Up to the simple-upload
     * limit (4 MiB by default) one PUT; above it an upload session in 320 KiB-multiple fragments, so memory
     * stays at about one fragment whatever the size. The stream is read once and not closed here; because it
     * cannot be re-read, an upload session that Graph drops midway fails instead of starting over. A name
     * already taken gets the connection's conflict behaviour ({@code rename} by default: "name 1.pdf").
     */
    JsonNode upload(UUID tenantId, UUID driveConnectionId, String jobRef, String subFolder, String fileName,
            String contentType, InputStream content, long size);

    /** A file read from the drive: its name, content type (the item's {@code file.mimeType}) and bytes. */
    record DriveFile(String name, String contentType, byte[] content) {
    }

    /**
     * Reads the file {@code itemId} of the tenant's {@code onedrive} connection {@code driveConnectionId} (another
     * family attaches it somewhere, e.g. Xero to an invoice): its metadata, then its bytes from the pre-authenticated
     * URL Graph redirects to, held in memory — so at most {@code maxBytes} (a larger file is refused before its
     * content is fetched). Unknown or other tenants' connection, missing item, a folder or a file too large:
     * {@link io.integrationhub.platform.problem.ProblemException}.
     */
    DriveFile read(UUID tenantId, UUID driveConnectionId, String itemId, long maxBytes);
}
