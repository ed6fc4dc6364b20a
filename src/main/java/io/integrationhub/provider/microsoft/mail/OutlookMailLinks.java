package io.integrationhub.provider.microsoft.mail;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Repository;

import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * What Outlook capture remembers (V8): which job an email and a conversation belong to, which attachments are
 * already in OneDrive, and when Graph last notified a change. Every statement is tenant-scoped.
 */
@Repository
public class OutlookMailLinks {

    public static final String MESSAGE = "message";
    public static final String CONVERSATION = "conversation";

    /** A job link and the rule that made it. */
    public record Link(String jobRef, String rule) {
    }

    /** An attachment saved to OneDrive. */
    public record SavedAttachment(String driveItemId, String webUrl) {
    }

    private final TenantJdbc jdbc;

    public OutlookMailLinks(TenantJdbc jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Link> find(UUID tenantId, UUID connectionId, String kind, String key) {
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        return jdbc.queryOne(tenantId, "SELECT job_ref, rule FROM outlook_mail_links WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND kind = :kind AND link_key = :key",
                Map.of("connectionId", connectionId, "kind", kind, "key", key),
                (rs, n) -> new Link(rs.getString(1), rs.getString(2)));
    }

    /** Keeps the first link of a key: a message or conversation linked to a job stays with it. */
    public void linkIfAbsent(UUID tenantId, UUID connectionId, String kind, String key, Link link) {
        if (key == null || key.isBlank() || key.length() > 512) {
            return;
        }
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("kind", kind);
        p.put("key", key);
        p.put("jobRef", link.jobRef());
        p.put("rule", link.rule());
        p.put("now", Timestamp.from(Instant.now()));
        try {
            jdbc.update(tenantId, "INSERT INTO outlook_mail_links (connection_id, kind, link_key, tenant_id, job_ref, rule, "
                    + "created_at) VALUES (:connectionId, :kind, :key, :tenantId, :jobRef, :rule, :now)", p);
        } catch (DuplicateKeyException e) {
            // already linked (possibly by another run at the same moment): the first link wins
        }
    }

    public Optional<SavedAttachment> saved(UUID tenantId, UUID connectionId, String messageId, String attachmentId) {
        return jdbc.queryOne(tenantId, "SELECT drive_item_id, web_url FROM outlook_mail_attachments WHERE tenant_id = "
                + ":tenantId AND connection_id = :connectionId AND message_id = :messageId AND attachment_id = :attachmentId",
                Map.of("connectionId", connectionId, "messageId", messageId, "attachmentId", attachmentId),
                (rs, n) -> new SavedAttachment(rs.getString(1), rs.getString(2)));
    }

    public void markSaved(UUID tenantId, UUID connectionId, String messageId, String attachmentId, UUID driveConnectionId,
            SavedAttachment saved) {
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("messageId", messageId);
        p.put("attachmentId", attachmentId);
        p.put("driveConnectionId", driveConnectionId);
        p.put("driveItemId", saved.driveItemId());
        p.put("webUrl", saved.webUrl());
        p.put("now", Timestamp.from(Instant.now()));
        try {
            jdbc.update(tenantId, "INSERT INTO outlook_mail_attachments (connection_id, message_id, attachment_id, tenant_id, "
                    + "drive_connection_id, drive_item_id, web_url, saved_at) VALUES (:connectionId, :messageId, "
                    + ":attachmentId, :tenantId, :driveConnectionId, :driveItemId, :webUrl, :now)", p);
        } catch (DuplicateKeyException e) {
            // saved by a concurrent run of the same connection; the first row stays
        }
    }

    /** Graph told the hub about a change now. */
    public void markNotified(UUID tenantId, UUID connectionId, Instant at) {
        Map<String, Object> p = Map.of("connectionId", connectionId, "at", Timestamp.from(at));
        if (jdbc.update(tenantId, "UPDATE outlook_mail_state SET notified_at = :at WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND notified_at < :at", p) == 0) {
            try {
                jdbc.update(tenantId, "INSERT INTO outlook_mail_state (connection_id, tenant_id, notified_at) "
                        + "VALUES (:connectionId, :tenantId, :at)", p);
            } catch (DuplicateKeyException e) {
                // a row exists with a later time already
            }
        }
    }

    public Optional<Instant> lastNotified(UUID tenantId, UUID connectionId) {
        return jdbc.queryOne(tenantId, "SELECT notified_at FROM outlook_mail_state WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId", Map.of("connectionId", connectionId),
                (rs, n) -> rs.getTimestamp(1).toInstant());
    }
}
