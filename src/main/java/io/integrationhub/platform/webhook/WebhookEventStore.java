package io.integrationhub.platform.webhook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

import io.integrationhub.platform.config.DatabaseKind;
import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The webhook inbox. Ingress, the consumers and recovery work across tenants (the row's own tenant
 * travels with it), so they use the platform template; everything a tenant asks for goes through
 * {@link TenantJdbc}. Status moves received → queued → processing → processed | ignored | failed;
 * every move is a conditional update, which is what makes processing happen once per event.
 */
@Repository
public class WebhookEventStore {

    static final String COLUMNS = "id, tenant_id, connection_id, provider, event_type, external_event_id, status, payload, "
            + "error, attempts, delivery_count, received_at, processed_at";

    private final NamedParameterJdbcTemplate jdbc;
    private final TenantJdbc tenants;

    public WebhookEventStore(NamedParameterJdbcTemplate jdbc, TenantJdbc tenants) {
        this.jdbc = jdbc;
        this.tenants = tenants;
    }

    /**
     * Stores the event unless the same (provider, dedupe key) is already there.
     * @return true when this call stored it
     */
    public boolean insertIfNew(WebhookEvent e, String dedupeKey, String accountId, String headersJson) {
        return jdbc.update(INSERT_IF_NEW, insertParameters(e, dedupeKey, accountId, headersJson)) == 1;
    }

    /**
     * {@link #insertIfNew} for many rows in one JDBC batch (the webhook group commit); {@code headersJson} is each
     * row's. The first of two rows with the same dedupe key is the one stored.
     * @return per row, true when this call stored it
     */
    public boolean[] insertAllIfNew(List<WebhookGroupCommit.Row> rows, List<String> headersJson) {
        MapSqlParameterSource[] batch = new MapSqlParameterSource[rows.size()];
        for (int i = 0; i < batch.length; i++) {
            WebhookGroupCommit.Row row = rows.get(i);
            batch[i] = insertParameters(row.event(), row.dedupeKey(), row.accountId(), headersJson.get(i));
        }
        int[] counts = jdbc.batchUpdate(INSERT_IF_NEW, batch);
        boolean[] stored = new boolean[counts.length];
        for (int i = 0; i < counts.length; i++) {
            stored[i] = counts[i] == 1;
        }
        return stored;
    }

    private static final String INSERT_IF_NEW = "INSERT INTO webhook_events (id, tenant_id, connection_id, provider, "
            + "dedupe_key, event_type, external_event_id, account_id, status, payload, headers, error, received_at, "
            + "processed_at, queued_at) VALUES (:id, :tenantId, :connectionId, :provider, :dedupeKey, :eventType, "
            + ":externalEventId, :accountId, :status, :payload, :headers, :error, :now, :processedAt, :queuedAt) "
            + "ON CONFLICT DO NOTHING";

    private static MapSqlParameterSource insertParameters(WebhookEvent e, String dedupeKey, String accountId,
            String headersJson) {
        return new MapSqlParameterSource()
                .addValue("id", e.id())
                .addValue("tenantId", e.tenantId())
                .addValue("connectionId", e.connectionId())
                .addValue("provider", e.provider())
                .addValue("dedupeKey", dedupeKey)
                .addValue("eventType", truncate(e.eventType(), 255))
                .addValue("externalEventId", truncate(e.externalEventId(), 255))
                .addValue("accountId", truncate(accountId, 255))
                .addValue("status", e.status())
                .addValue("payload", e.payload())
                .addValue("headers", headersJson)
                .addValue("error", truncate(e.error(), 2000))
                .addValue("now", Timestamp.from(e.receivedAt()))
                .addValue("processedAt", e.processedAt() == null ? null : Timestamp.from(e.processedAt()))
                .addValue("queuedAt", WebhookEvent.QUEUED.equals(e.status()) ? Timestamp.from(e.receivedAt()) : null);
    }

    public Optional<WebhookEvent> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM webhook_events WHERE id = :id", Map.of("id", id), WebhookEventStore::map)
                .stream().findFirst();
    }

    public void markQueued(UUID id) {
        jdbc.update("UPDATE webhook_events SET status = 'queued', queued_at = :now WHERE id = :id AND status IN ('received', 'queued')",
                Map.of("id", id, "now", now()));
    }

    /** Takes the event for processing; false when it is already taken or finished (a redelivery). */
    public boolean claim(UUID id) {
        return jdbc.update("UPDATE webhook_events SET status = 'processing', claimed_at = :now, attempts = attempts + 1, "
                + "delivery_count = delivery_count + 1 WHERE id = :id AND status IN ('received', 'queued')",
                Map.of("id", id, "now", now())) == 1;
    }

    /**
     * {@link #claim} and then {@link #find}: on PostgreSQL one statement ({@code UPDATE … RETURNING}), so a processed
     * event costs one round trip less. Empty when the event is already taken or finished (a redelivery).
     */
    public Optional<WebhookEvent> claimAndFind(UUID id) {
        if (DatabaseKind.postgres(jdbc.getJdbcTemplate().getDataSource())) {
            return jdbc.query("UPDATE webhook_events SET status = 'processing', claimed_at = :now, attempts = attempts + 1, "
                    + "delivery_count = delivery_count + 1 WHERE id = :id AND status IN ('received', 'queued') RETURNING "
                    + COLUMNS, Map.of("id", id, "now", now()), WebhookEventStore::map).stream().findFirst();
        }
        return claim(id) ? find(id) : Optional.empty();
    }

    public void finish(UUID id, String status, String handler, String error) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", id);
        p.put("status", status);
        p.put("handler", handler);
        p.put("error", truncate(error, 2000));
        p.put("now", now());
        jdbc.update("UPDATE webhook_events SET status = :status, handler = :handler, error = :error, processed_at = :now "
                + "WHERE id = :id AND status = 'processing'", p);
    }

    /** Replay of a failed event: back to queued, for this tenant only. */
    public boolean requeueFailed(UUID tenantId, UUID id) {
        return tenants.update(tenantId, "UPDATE webhook_events SET status = 'queued', error = NULL, processed_at = NULL, "
                + "queued_at = :now WHERE tenant_id = :tenantId AND id = :id AND status = 'failed'",
                Map.of("id", id, "now", now())) == 1;
    }

    /** Events stored but never handed to the outbox (rows written before the outbox existed), oldest first. */
    public List<WebhookEvent> unpublished(Instant storedBefore, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM webhook_events WHERE status = 'received' AND received_at < :before "
                + "ORDER BY received_at LIMIT " + Math.max(1, limit), Map.of("before", Timestamp.from(storedBefore)),
                WebhookEventStore::map);
    }

    /**
     * Events queued long ago, no longer waiting in the outbox, but never claimed (their record was consumed
     * while the inbox was unavailable). Events still in the outbox (Kafka unreachable) are not stalled.
     */
    public List<WebhookEvent> stalledQueued(Instant queuedBefore, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM webhook_events w WHERE status = 'queued' AND queued_at < :before "
                // the topic condition lets PostgreSQL use the partial index of webhook hand-offs (V47)
                + "AND NOT EXISTS (SELECT 1 FROM outbox_events o WHERE o.event_id = w.id AND o.topic LIKE '"
                + WebhookPipeline.TOPIC_PREFIX + "%') "
                + "ORDER BY queued_at LIMIT " + Math.max(1, limit), Map.of("before", Timestamp.from(queuedBefore)),
                WebhookEventStore::map);
    }

    /** Claims abandoned by a crashed node go back to queued; returns their ids for republishing. */
    public List<UUID> releaseAbandoned(Instant claimedBefore, int limit) {
        List<UUID> ids = jdbc.queryForList("SELECT id FROM webhook_events WHERE status = 'processing' AND claimed_at < :before "
                + "ORDER BY claimed_at LIMIT " + Math.max(1, limit), Map.of("before", Timestamp.from(claimedBefore)), UUID.class);
        return ids.stream().filter(id -> jdbc.update("UPDATE webhook_events SET status = 'queued' WHERE id = :id "
                + "AND status = 'processing' AND claimed_at < :before", Map.of("id", id, "before",
                Timestamp.from(claimedBefore))) == 1).toList();
    }

    /** A page of the tenant's events, newest first, after the keyset cursor (received_at, id). */
    public List<WebhookEvent> list(UUID tenantId, String status, String provider, Instant beforeAt, UUID beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM webhook_events WHERE tenant_id = :tenantId");
        Map<String, Object> p = new HashMap<>();
        if (status != null) {
            sql.append(" AND status = :status");
            p.put("status", status);
        }
        if (provider != null) {
            sql.append(" AND provider = :provider");
            p.put("provider", provider);
        }
        if (beforeAt != null) {
            sql.append(" AND (received_at, id) < (:beforeAt, :beforeId)");
            p.put("beforeAt", Timestamp.from(beforeAt));
            p.put("beforeId", beforeId);
        }
        sql.append(" ORDER BY received_at DESC, id DESC LIMIT ").append(limit);
        return tenants.query(tenantId, sql.toString(), p, WebhookEventStore::map);
    }

    static WebhookEvent map(ResultSet rs, int row) throws SQLException {
        Timestamp processed = rs.getTimestamp("processed_at");
        return new WebhookEvent(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                rs.getObject("connection_id", UUID.class), rs.getString("provider"), rs.getString("event_type"),
                rs.getString("external_event_id"), rs.getString("status"), rs.getString("payload"), rs.getString("error"),
                rs.getInt("attempts"), rs.getInt("delivery_count"), rs.getTimestamp("received_at").toInstant(),
                processed == null ? null : processed.toInstant());
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
