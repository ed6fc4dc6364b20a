package io.integrationhub.provider.microsoft.mail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.sync.SyncContext;
import io.integrationhub.provider.microsoft.graph.GraphClient.Request;
import io.integrationhub.provider.microsoft.mail.OutlookMailLinks.SavedAttachment;
import io.integrationhub.provider.microsoft.graph.GraphClient;
import io.integrationhub.provider.microsoft.graph.JobFiles;

/**
 * The attachments of a captured email: listed into its record, and — for an email linked to a job — saved into the
 * job's OneDrive {@code Emails} folder through the tenant's OneDrive connection ({@link JobFiles}).
 *
 * <p>The list is read without contents ({@code $select}), because a listing with {@code contentBytes} would carry
 * every attachment base64-encoded in one JSON body. A small attachment (below
 * {@code hub.microsoft.mail.small-attachment-bytes}, 3 MB) is then read from its {@code contentBytes}; a large one
 * is streamed from {@code …/attachments/{id}/$value} into a temporary file in small buffers and uploaded from there
 * (Graph's attachment {@code size} is not the content length, and OneDrive's upload session needs the exact total
 * up front); the file is deleted right after. Saved attachments are remembered, so an email delta returns again
 * is not uploaded twice.
 *
 * <p>Provider failures that may pass (unavailable, throttled) end the page, so the run is retried from the same
 * place; a refusal (a 4xx) or a missing OneDrive connection is written into the attachment's entry as
 * {@code reason} and capture goes on.
 */
@Component
public class OutlookMailAttachments {

    private static final Logger LOG = LoggerFactory.getLogger(OutlookMailAttachments.class);
    static final String FILE = "#microsoft.graph.fileAttachment";

    private final JobFiles jobFiles;
    private final OutlookMailLinks links;
    private final OutlookMailProperties properties;
    private final ObjectMapper mapper;

    public OutlookMailAttachments(JobFiles jobFiles, OutlookMailLinks links, OutlookMailProperties properties,
            ObjectMapper mapper) {
        this.jobFiles = jobFiles;
        this.links = links;
        this.properties = properties;
        this.mapper = mapper;
    }

    /** The attachments of one message as the record lists them; saves the files of a job email. */
    public ArrayNode capture(SyncContext context, GraphClient.Session session, String messageId, String jobRef,
            boolean save) throws IOException {
        String base = "/me/messages" + GraphClient.encodePath(messageId) + "/attachments";
        GraphClient.Reply reply = session.send(Request.of("GET", session.url(base + "?$select=id,name,contentType,size,isInline")),
                status -> status == 404);
        ArrayNode out = mapper.createArrayNode();
        if (reply.status() == 404) {
            // Deleted since delta listed it; the next delta reports it removed.
            return out;
        }
        JsonNode listing = reply.json();
        Optional<UUID> drive = null;
        for (JsonNode a : listing.path("value")) {
            ObjectNode entry = out.addObject();
            String id = a.path("id").asText();
            String type = a.path("@odata.type").asText(FILE);
            entry.put("id", id);
            entry.put("name", a.path("name").asText(""));
            entry.put("contentType", a.path("contentType").asText(null));
            entry.put("size", a.path("size").asLong());
            entry.put("isInline", a.path("isInline").asBoolean(false));
            entry.put("type", type.substring(type.lastIndexOf('.') + 1));
            String reason = null;
            if (!FILE.equals(type)) {
                reason = "only file attachments are saved";
            } else if (a.path("isInline").asBoolean(false)) {
                reason = "inline image of the body";
            } else if (jobRef == null) {
                reason = "the email is not linked to a job";
            } else if (!save) {
                reason = "saveAttachments is off for this connection";
            }
            if (reason == null) {
                Optional<SavedAttachment> saved = links.saved(context.tenantId(), context.connectionId(), messageId, id);
                if (saved.isEmpty()) {
                    if (drive == null) {
                        drive = jobFiles.driveConnection(context.tenantId());
                    }
                    if (drive.isEmpty()) {
                        reason = "the tenant has no active OneDrive connection";
                    } else {
                        try {
                            SavedAttachment done = transfer(context, session, base, a, jobRef, drive.get());
                            links.markSaved(context.tenantId(), context.connectionId(), messageId, id, drive.get(), done);
                            saved = Optional.of(done);
                        } catch (ProviderCallException e) {
                            if (e.kind() != ProviderCallException.Kind.REJECTED && e.kind() != ProviderCallException.Kind.UNAUTHORIZED) {
                                throw e;
                            }
                            reason = notSaved(messageId, jobRef, e.getMessage());
                        } catch (ProblemException e) {
                            reason = notSaved(messageId, jobRef, e.problem().detail());
                        }
                    }
                }
                saved.ifPresent(s -> entry.put("saved", true).put("driveItemId", s.driveItemId()).put("webUrl", s.webUrl()));
            }
            if (reason != null) {
                entry.put("saved", false).put("reason", reason);
            }
        }
        return out;
    }

    private SavedAttachment transfer(SyncContext context, GraphClient.Session session, String base, JsonNode a,
            String jobRef, UUID drive) throws IOException {
        String id = GraphClient.encodePath(a.path("id").asText());
        String name = fileName(a.path("name").asText("attachment"));
        String contentType = a.path("contentType").asText("application/octet-stream");
        if (a.path("size").asLong() < properties.getSmallAttachmentBytes()) {
            byte[] content = Base64.getDecoder().decode(session.get(base + id).path("contentBytes").asText(""));
            try (InputStream in = new ByteArrayInputStream(content)) {
                return upload(context.tenantId(), drive, jobRef, name, contentType, in, content.length);
            }
        }
        Path spool = Files.createTempFile("mail-attachment", ".part");
        try {
            try (OutputStream out = Files.newOutputStream(spool)) {
                session.send(Request.of("GET", session.url(base + id + "/$value")).streamTo(out));
            }
            try (InputStream in = Files.newInputStream(spool)) {
                return upload(context.tenantId(), drive, jobRef, name, contentType, in, Files.size(spool));
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private static String notSaved(String messageId, String jobRef, String why) {
        LOG.warn("An attachment of message {} was not saved for job {}: {}", messageId, jobRef, why);
        return "not saved: " + why;
    }

    /** OneDrive refuses {@code " * : < > ? / \ |} and names ending in a dot or space. */
    static String fileName(String name) {
        String clean = name.replaceAll("[\"*:<>?/\\\\|\\p{Cntrl}]", "_").replaceAll("[. ]+$", "").trim();
        return clean.isEmpty() ? "attachment" : clean;
    }

    private SavedAttachment upload(UUID tenantId, UUID drive, String jobRef, String name, String contentType, InputStream in,
            long size) {
        JsonNode item = jobFiles.upload(tenantId, drive, jobRef, properties.getAttachmentsFolder(), name, contentType, in, size);
        return new SavedAttachment(item.path("id").asText(), item.path("webUrl").asText(null));
    }
}
