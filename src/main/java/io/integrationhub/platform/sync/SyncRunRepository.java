package io.integrationhub.platform.sync;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * Sync runs, their per-connection+entity lock and incremental cursors. Tenant data goes through
 * {@link TenantJdbc}; only the instance-level housekeeping (heartbeats, finding stale runs across
 * tenants) uses plain JDBC and returns nothing but ids.
 */
@Repository
public class SyncRunRepository {

    private static final String COLUMNS = "id, tenant_id, connection_id, entity, direction, mode, status, range_from, "
            + "range_to, records_processed, records_total, progress, created_count, updated_count, deleted_count, errors, reason, "
            + "message, started_at, completed_at, created_at, checkpoint, cancel_requested";

    private final TenantJdbc jdbc;
    private final NamedParameterJdbcTemplate system;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;

    public SyncRunRepository(TenantJdbc jdbc, NamedParameterJdbcTemplate system, TransactionTemplate tx,
            ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.system = system;
        this.tx = tx;
        this.mapper = mapper;
    }

    /** Thrown when the connection+entity already has a queued or running run. */
    public static class AlreadyActive extends RuntimeException {
        private final UUID runId;

        AlreadyActive(UUID runId) {
            super("a run is already queued or running: " + runId, null, false, false);
            this.runId = runId;
        }

        public UUID runId() {
            return runId;
        }
    }

    /**
     * Queues a run and takes the connection+entity lock in one transaction; the lock's primary key
     * makes a second active run impossible, whichever instance asks.
     * <p>
     * The lock is read first: a request for a connection+entity whose run is already queued or running is the
     * common case of webhook hints (one per event of a busy Slack channel, say), and an insert that the key refuses
     * costs an aborted transaction, an {@code ERROR} with the statement in PostgreSQL's log, and an exception here,
     * each time. The insert still decides a race between two requests that both found no lock.
     */
    public SyncRun queue(UUID tenantId, UUID connectionId, String entity, String direction, String mode, Instant from,
            Instant to, String reason) {
        Optional<UUID> active = activeRun(tenantId, connectionId, entity);
        if (active.isPresent()) {
            throw new AlreadyActive(active.get());
        }
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        try {
            tx.executeWithoutResult(s -> {
                Map<String, Object> p = new HashMap<>();
                p.put("id", id);
                p.put("connectionId", connectionId);
                p.put("entity", entity);
                p.put("direction", direction);
                p.put("mode", mode);
                p.put("from", from == null ? null : Timestamp.from(from));
                p.put("to", to == null ? null : Timestamp.from(to));
                p.put("reason", reason);
                p.put("now", now);
                jdbc.update(tenantId, "INSERT INTO sync_runs (id, tenant_id, connection_id, entity, direction, mode, status, "
                        + "range_from, range_to, reason, created_at) VALUES (:id, :tenantId, :connectionId, :entity, "
                        + ":direction, :mode, 'queued', :from, :to, :reason, :now)", p);
                jdbc.update(tenantId, "INSERT INTO sync_locks (connection_id, entity, tenant_id, run_id, created_at) "
                        + "VALUES (:connectionId, :entity, :tenantId, :id, :now)", p);
            });
        } catch (DuplicateKeyException e) {
            UUID holder = activeRun(tenantId, connectionId, entity).orElse(null);
            throw new AlreadyActive(holder);
        }
        return find(tenantId, id).orElseThrow();
    }

    public Optional<UUID> activeRun(UUID tenantId, UUID connectionId, String entity) {
        return jdbc.queryOne(tenantId, "SELECT run_id FROM sync_locks WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND entity = :entity",
                Map.of("connectionId", connectionId, "entity", entity), (rs, n) -> rs.getObject(1, UUID.class));
    }

    public Optional<SyncRun> find(UUID tenantId, UUID id) {
        return jdbc.queryOne(tenantId, "SELECT " + COLUMNS + " FROM sync_runs WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id), this::map);
    }

    public List<SyncRun> list(UUID tenantId, UUID connectionId, int limit) {
        return jdbc.query(tenantId, "SELECT " + COLUMNS + " FROM sync_runs WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId ORDER BY created_at DESC, id DESC LIMIT :limit",
                Map.of("connectionId", connectionId, "limit", limit), this::map);
    }

    /**
     * Takes a run for this instance: a queued run whose wait (if any) is over, or a running run whose
     * owner stopped heart-beating. Exactly one instance wins.
     */
    public boolean claim(UUID tenantId, UUID id, String owner, Instant staleBefore) {
        Timestamp now = Timestamp.from(Instant.now());
        return jdbc.update(tenantId, "UPDATE sync_runs SET status = 'running', owner = :owner, heartbeat_at = :now, "
                + "resume_after = NULL, started_at = COALESCE(started_at, :now) WHERE tenant_id = :tenantId AND id = :id "
                + "AND ((status = 'queued' AND (resume_after IS NULL OR resume_after <= :now)) "
                + "OR (status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < :stale)))",
                Map.of("id", id, "owner", owner, "now", now, "stale", Timestamp.from(staleBefore))) == 1;
    }

    /**
     * Records a committed page: progress, counts, errors and the checkpoint, only while this instance
     * still owns the run (false means another instance took it over: the caller must roll back).
     */
    public boolean checkpoint(UUID tenantId, UUID id, String owner, String checkpoint, long processed, Long total,
            long created, long updated, long deleted, String errors) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", id);
        p.put("owner", owner);
        p.put("checkpoint", checkpoint);
        p.put("processed", processed);
        p.put("total", total);
        p.put("created", created);
        p.put("updated", updated);
        p.put("deleted", deleted);
        p.put("errors", errors);
        p.put("now", Timestamp.from(Instant.now()));
        return jdbc.update(tenantId, "UPDATE sync_runs SET checkpoint = :checkpoint, pages = pages + 1, "
                + "records_processed = records_processed + :processed, records_total = COALESCE(:total, records_total), "
                + "created_count = created_count + :created, updated_count = updated_count + :updated, "
                + "deleted_count = deleted_count + :deleted, errors = COALESCE(:errors, errors), heartbeat_at = :now "
                + "WHERE tenant_id = :tenantId AND id = :id AND owner = :owner AND status = 'running'", p) == 1;
    }

    public String errors(UUID tenantId, UUID id) {
        return jdbc.queryOne(tenantId, "SELECT errors FROM sync_runs WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id), (rs, n) -> rs.getString(1)).orElse("[]");
    }

    public boolean cancelRequested(UUID tenantId, UUID id) {
        return jdbc.queryOne(tenantId, "SELECT cancel_requested FROM sync_runs WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id), (rs, n) -> rs.getBoolean(1)).orElse(true);
    }

    /** How {@link #finish} went: not this owner's to finish, finished, or finished with a follow-up asked for. */
    public enum Finished {
        NOT_FINISHED, FINISHED, FINISHED_FOLLOW_UP;

        public boolean done() {
            return this != NOT_FINISHED;
        }
    }

    /**
     * Marks the running run of connection+entity as owing a follow-up run (a request arrived while it ran).
     * A queued run needs nothing: it has not read anything yet. Returns whether a running run was marked.
     */
    public boolean requestFollowUp(UUID tenantId, UUID connectionId, String entity) {
        return jdbc.update(tenantId, "UPDATE sync_locks SET rerun_requested = TRUE WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND entity = :entity AND run_id IN (SELECT id FROM sync_runs "
                + "WHERE tenant_id = :tenantId AND status = 'running')",
                Map.of("connectionId", connectionId, "entity", entity)) == 1;
    }

    /** Ends a run and frees its connection+entity for the next one. */
    public Finished finish(UUID tenantId, UUID id, String owner, String status, String message) {
        boolean[] followUp = {false};
        Boolean done = tx.execute(s -> {
            Map<String, Object> p = new HashMap<>();
            p.put("id", id);
            p.put("owner", owner);
            p.put("status", status);
            p.put("message", truncate(message));
            p.put("now", Timestamp.from(Instant.now()));
            String ownerClause = owner == null ? "status = 'queued'" : "owner = :owner AND status = 'running'";
            int n = jdbc.update(tenantId, "UPDATE sync_runs SET status = :status, message = :message, completed_at = :now, "
                    + "heartbeat_at = :now WHERE tenant_id = :tenantId AND id = :id AND " + ownerClause, p);
            if (n == 1) {
                followUp[0] = jdbc.queryOne(tenantId, "SELECT rerun_requested FROM sync_locks WHERE tenant_id = :tenantId "
                        + "AND run_id = :id", Map.of("id", id), (rs, i) -> rs.getBoolean(1)).orElse(false);
                jdbc.update(tenantId, "DELETE FROM sync_locks WHERE tenant_id = :tenantId AND run_id = :id", Map.of("id", id));
            }
            return n == 1;
        });
        if (!Boolean.TRUE.equals(done)) {
            return Finished.NOT_FINISHED;
        }
        return followUp[0] ? Finished.FINISHED_FOLLOW_UP : Finished.FINISHED;
    }

    /** Puts a run back in the queue until {@code resumeAfter}, keeping its checkpoint and its lock. */
    public void requeue(UUID tenantId, UUID id, String owner, Instant resumeAfter, String message) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", id);
        p.put("owner", owner);
        p.put("resumeAfter", Timestamp.from(resumeAfter));
        p.put("message", truncate(message));
        jdbc.update(tenantId, "UPDATE sync_runs SET status = 'queued', owner = NULL, resume_after = :resumeAfter, "
                + "message = :message WHERE tenant_id = :tenantId AND id = :id AND owner = :owner", p);
    }

    /** Asks a run to stop. A queued run is cancelled at once; a running one at its next page boundary. */
    public void requestCancel(UUID tenantId, UUID id) {
        jdbc.update(tenantId, "UPDATE sync_runs SET cancel_requested = TRUE WHERE tenant_id = :tenantId AND id = :id "
                + "AND status IN ('queued', 'running')", Map.of("id", id));
        finish(tenantId, id, null, SyncRun.CANCELLED, "cancelled before it started");
    }

    public Optional<String> cursor(UUID tenantId, UUID connectionId, String entity) {
        return jdbc.queryOne(tenantId, "SELECT cursor_value FROM sync_cursors WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND entity = :entity",
                Map.of("connectionId", connectionId, "entity", entity), (rs, n) -> rs.getString(1));
    }

    public void saveCursor(UUID tenantId, UUID connectionId, String entity, String cursor) {
        Map<String, Object> p = Map.of("connectionId", connectionId, "entity", entity, "cursor", cursor,
                "now", Timestamp.from(Instant.now()));
        int n = jdbc.update(tenantId, "UPDATE sync_cursors SET cursor_value = :cursor, updated_at = :now "
                + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND entity = :entity", p);
        if (n == 0) {
            jdbc.update(tenantId, "INSERT INTO sync_cursors (connection_id, entity, tenant_id, cursor_value, updated_at) "
                    + "VALUES (:connectionId, :entity, :tenantId, :cursor, :now)", p);
        }
    }

    public void markConnectionSynced(UUID tenantId, UUID connectionId) {
        jdbc.update(tenantId, "UPDATE connections SET last_sync_at = :now WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", connectionId, "now", Timestamp.from(Instant.now())));
    }

    // --- instance housekeeping (cross-tenant, ids only) ---

    public record RunRef(UUID tenantId, UUID runId) {
    }

    /** Runs some instance should pick up: stale running runs and queued runs nobody started in time. */
    public List<RunRef> orphans(Instant staleBefore, Instant queuedBefore, int limit) {
        Timestamp now = Timestamp.from(Instant.now());
        return system.query("SELECT tenant_id, id FROM sync_runs WHERE ("
                + "(status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < :stale)) OR "
                + "(status = 'queued' AND ((resume_after IS NULL AND created_at < :queued) OR resume_after <= :now))) "
                + "ORDER BY created_at LIMIT :limit",
                Map.of("stale", Timestamp.from(staleBefore), "queued", Timestamp.from(queuedBefore), "now", now,
                        "limit", limit),
                (rs, n) -> new RunRef(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)));
    }

    public void heartbeat(String owner, List<UUID> runIds) {
        if (runIds.isEmpty()) {
            return;
        }
        system.update("UPDATE sync_runs SET heartbeat_at = :now WHERE owner = :owner AND status = 'running' "
                + "AND id IN (:ids)", Map.of("now", Timestamp.from(Instant.now()), "owner", owner, "ids", runIds));
    }

    /** Which tenant a connection belongs to (for requests that name only the connection). */
    public Optional<UUID> tenantOfConnection(UUID connectionId) {
        List<UUID> ids = system.query("SELECT tenant_id FROM connections WHERE id = :id", Map.of("id", connectionId),
                (rs, n) -> rs.getObject(1, UUID.class));
        return ids.stream().findFirst();
    }

    String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    private SyncRun map(ResultSet rs, int row) throws SQLException {
        long total = rs.getLong("records_total");
        Long recordsTotal = rs.wasNull() ? null : total;
        try {
            return new SyncRun(rs.getObject("id", UUID.class), rs.getObject("connection_id", UUID.class),
                    rs.getString("entity"), rs.getString("direction"), rs.getString("mode"), rs.getString("status"),
                    instant(rs.getTimestamp("range_from")), instant(rs.getTimestamp("range_to")),
                    rs.getLong("records_processed"), recordsTotal, progress(rs), rs.getLong("created_count"),
                    rs.getLong("updated_count"), rs.getLong("deleted_count"), mapper.readTree(rs.getString("errors")),
                    rs.getString("reason"), rs.getString("message"), instant(rs.getTimestamp("started_at")),
                    instant(rs.getTimestamp("completed_at")), instant(rs.getTimestamp("created_at")),
                    rs.getObject("tenant_id", UUID.class), rs.getString("checkpoint"), rs.getBoolean("cancel_requested"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt errors column in sync_runs", e);
        }
    }

    private static Double progress(ResultSet rs) throws SQLException {
        double p = rs.getDouble("progress");
        return rs.wasNull() ? null : p;
    }

    /** A page route's own measure of how far the run got (0..1), written in the page's transaction. */
    public void progress(UUID tenantId, UUID id, double progress) {
        jdbc.update(tenantId, "UPDATE sync_runs SET progress = :progress WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id, "progress", progress));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
