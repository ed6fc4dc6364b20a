package io.integrationhub.platform.hostwebhook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The {@code webhook_deliveries} and {@code webhook_delivery_attempts} tables. The claim and the fan-out work
 * across tenants (the delivery routes serve every tenant); everything the API reads goes through
 * {@link TenantJdbc}.
 */
@Component
public class HostWebhookDeliveries {

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";

    private final TenantJdbc tenantJdbc;
    private final NamedParameterJdbcTemplate jdbc;

    public HostWebhookDeliveries(TenantJdbc tenantJdbc, NamedParameterJdbcTemplate jdbc) {
        this.tenantJdbc = tenantJdbc;
        this.jdbc = jdbc;
    }

    /** One message for one endpoint, as the API shows it. */
    public record Delivery(UUID id, UUID tenantId, UUID endpointId, UUID eventId, String eventType, String status,
            int attempts, int scheduleStep, Instant nextAttemptAt, Instant lockedUntil, Integer lastStatusCode,
            String lastError, Instant createdAt, Instant deliveredAt) {
    }

    /** One HTTP attempt. */
    public record Attempt(int attempt, Instant attemptedAt, Integer statusCode, long durationMs, String error) {
    }

    /** A claimed delivery, the body of one split exchange of the route {@code host-webhooks.dispatch}. */
    public record Claimed(UUID id, UUID tenantId, UUID endpointId) {
    }

    /** A new delivery of an event to an endpoint (the fan-out of the outbox relay). */
    public record New(UUID tenantId, UUID endpointId, UUID eventId, String eventType, String payload) {
    }

    /** Inserts deliveries due now; an endpoint that already has the event keeps its one delivery. */
    public void insert(List<New> deliveries, Instant now) {
        if (deliveries.isEmpty()) {
            return;
        }
        Timestamp at = Timestamp.from(now);
        MapSqlParameterSource[] rows = deliveries.stream().map(d -> new MapSqlParameterSource()
                .addValue("id", UUID.randomUUID()).addValue("tenantId", d.tenantId()).addValue("endpointId", d.endpointId())
                .addValue("eventId", d.eventId()).addValue("eventType", d.eventType()).addValue("payload", d.payload())
                .addValue("now", at)).toArray(MapSqlParameterSource[]::new);
        jdbc.batchUpdate("INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, payload, status, "
                + "next_attempt_at, created_at, updated_at) SELECT :id, :tenantId, :endpointId, :eventId, :eventType, :payload, "
                + "'pending', :now, :now, :now FROM (VALUES (1)) AS one (x) WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries "
                + "WHERE endpoint_id = :endpointId AND event_id = :eventId)", rows);
    }

    /**
     * Locks up to {@code limit} due deliveries of enabled endpoints for {@code owner} until {@code until}, at most
     * {@code maxPerEndpoint} in flight per endpoint (counting those already held). Runs in the claim's transaction.
     */
    public List<Claimed> claim(int limit, int maxPerEndpoint, String owner, Instant now, Instant until) {
        Timestamp at = Timestamp.from(now);
        List<Claimed> due = jdbc.query("SELECT id, tenant_id, endpoint_id FROM webhook_deliveries WHERE status = 'pending' "
                + "AND next_attempt_at <= :now AND (locked_until IS NULL OR locked_until < :now) "
                + "AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled = TRUE) "
                + "AND endpoint_id NOT IN (SELECT endpoint_id FROM webhook_deliveries WHERE status = 'pending' "
                + "AND locked_until >= :now GROUP BY endpoint_id HAVING COUNT(*) >= :max) "
                + "ORDER BY next_attempt_at, id LIMIT " + Math.max(1, limit) + " FOR UPDATE SKIP LOCKED",
                Map.of("now", at, "max", maxPerEndpoint),
                (rs, i) -> new Claimed(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                        rs.getObject("endpoint_id", UUID.class)));
        if (due.isEmpty()) {
            return due;
        }
        Map<UUID, Integer> inFlight = new HashMap<>();
        jdbc.query("SELECT endpoint_id, COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending' AND locked_until >= :now "
                + "AND endpoint_id IN (:endpoints) GROUP BY endpoint_id",
                Map.of("now", at, "endpoints", due.stream().map(Claimed::endpointId).distinct().toList()),
                rs -> {
                    inFlight.put(rs.getObject("endpoint_id", UUID.class), rs.getInt("n"));
                });
        List<Claimed> kept = new ArrayList<>();
        for (Claimed c : due) {
            int n = inFlight.getOrDefault(c.endpointId(), 0);
            if (n < maxPerEndpoint) {
                inFlight.put(c.endpointId(), n + 1);
                kept.add(c);
            }
        }
        if (!kept.isEmpty()) {
            jdbc.update("UPDATE webhook_deliveries SET locked_until = :until, locked_by = :owner WHERE id IN (:ids)",
                    Map.of("until", Timestamp.from(until), "owner", owner, "ids", kept.stream().map(Claimed::id).toList()));
        }
        return kept;
    }

    /** Gives back what {@code owner} still holds (a stopping instance), so another takes it at once. */
    public int release(String owner) {
        return jdbc.update("UPDATE webhook_deliveries SET locked_until = NULL, locked_by = NULL WHERE locked_by = :owner "
                + "AND status = 'pending'", Map.of("owner", owner));
    }

    /** The message of a claimed delivery: event id and payload; empty when it is no longer pending. */
    public Optional<Map<String, Object>> message(UUID tenantId, UUID id) {
        return tenantJdbc.queryOne(tenantId, "SELECT event_id, payload, attempts, schedule_step FROM webhook_deliveries "
                + "WHERE tenant_id = :tenantId AND id = :id AND status = 'pending'", Map.of("id", id), (rs, i) -> {
                    Map<String, Object> m = new HashMap<>();
                    m.put("eventId", rs.getObject("event_id", UUID.class));
                    m.put("payload", rs.getString("payload"));
                    m.put("attempts", rs.getInt("attempts"));
                    m.put("scheduleStep", rs.getInt("schedule_step"));
                    return m;
                });
    }

    /**
     * Records one attempt and the delivery's next state: {@code delivered}, {@code failed} (no retry left, or
     * {@code nextAttemptAt} null), or still {@code pending} until {@code nextAttemptAt}.
     */
    public void recordAttempt(UUID tenantId, UUID id, int attempt, int scheduleStep, Instant at, Integer statusCode,
            long durationMs, String error, String status, Instant nextAttemptAt) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", id);
        p.put("attempt", attempt);
        p.put("at", Timestamp.from(at));
        p.put("code", statusCode);
        p.put("duration", durationMs);
        p.put("error", error);
        p.put("status", status);
        p.put("step", scheduleStep);
        p.put("next", nextAttemptAt == null ? null : Timestamp.from(nextAttemptAt));
        p.put("delivered", DELIVERED.equals(status) ? Timestamp.from(at) : null);
        p.put("now", Timestamp.from(Instant.now()));
        int updated = tenantJdbc.update(tenantId, "UPDATE webhook_deliveries SET status = :status, attempts = :attempt, "
                + "schedule_step = :step, next_attempt_at = :next, locked_until = NULL, locked_by = NULL, "
                + "last_status_code = :code, last_error = :error, delivered_at = COALESCE(:delivered, delivered_at), "
                + "updated_at = :now WHERE tenant_id = :tenantId AND id = :id", p);
        if (updated > 0) { // else the endpoint (and its log) was deleted meanwhile
            tenantJdbc.update(tenantId, "INSERT INTO webhook_delivery_attempts (delivery_id, tenant_id, attempt, attempted_at, "
                    + "status_code, duration_ms, error) VALUES (:id, :tenantId, :attempt, :at, :code, :duration, :error)", p);
        }
    }

    /** Lets another round take a claimed delivery that was not sent (its endpoint changed meanwhile). */
    public void unlock(UUID tenantId, UUID id) {
        tenantJdbc.update(tenantId, "UPDATE webhook_deliveries SET locked_until = NULL, locked_by = NULL "
                + "WHERE tenant_id = :tenantId AND id = :id", Map.of("id", id));
    }

    /** A page of an endpoint's deliveries, newest first, after the cursor ({@code createdAt}, {@code id}). */
    public List<Delivery> list(UUID tenantId, UUID endpointId, String status, Instant beforeAt, UUID beforeId, int limit) {
        Map<String, Object> p = new HashMap<>();
        p.put("endpointId", endpointId);
        StringBuilder sql = new StringBuilder("SELECT * FROM webhook_deliveries WHERE tenant_id = :tenantId "
                + "AND endpoint_id = :endpointId");
        if (status != null) {
            sql.append(" AND status = :status");
            p.put("status", status);
        }
        if (beforeAt != null) {
            sql.append(" AND (created_at, id) < (:beforeAt, :beforeId)");
            p.put("beforeAt", Timestamp.from(beforeAt));
            p.put("beforeId", beforeId);
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(Math.max(1, limit));
        return tenantJdbc.query(tenantId, sql.toString(), p, this::row);
    }

    public Optional<Delivery> find(UUID tenantId, UUID endpointId, UUID id) {
        return tenantJdbc.queryOne(tenantId, "SELECT * FROM webhook_deliveries WHERE tenant_id = :tenantId "
                + "AND endpoint_id = :endpointId AND id = :id", Map.of("endpointId", endpointId, "id", id), this::row);
    }

    /** Every attempt of these deliveries, by delivery, in order. */
    public Map<UUID, List<Attempt>> attempts(UUID tenantId, List<UUID> deliveryIds) {
        Map<UUID, List<Attempt>> all = new LinkedHashMap<>();
        if (deliveryIds.isEmpty()) {
            return all;
        }
        tenantJdbc.query(tenantId, "SELECT delivery_id, attempt, attempted_at, status_code, duration_ms, error "
                + "FROM webhook_delivery_attempts WHERE tenant_id = :tenantId AND delivery_id IN (:ids) ORDER BY delivery_id, id",
                Map.of("ids", deliveryIds), (rs, i) -> {
                    int code = rs.getInt("status_code");
                    Integer statusCode = rs.wasNull() ? null : code;
                    all.computeIfAbsent(rs.getObject("delivery_id", UUID.class), k -> new ArrayList<>())
                            .add(new Attempt(rs.getInt("attempt"), rs.getTimestamp("attempted_at").toInstant(), statusCode,
                                    rs.getLong("duration_ms"), rs.getString("error")));
                    return null;
                });
        return all;
    }

    /** Sends a delivery again from the start of the schedule; false while an instance is sending it. */
    public boolean resend(UUID tenantId, UUID endpointId, UUID id, Instant now) {
        Timestamp at = Timestamp.from(now);
        return tenantJdbc.update(tenantId, "UPDATE webhook_deliveries SET status = 'pending', schedule_step = 0, "
                + "next_attempt_at = :now, updated_at = :now WHERE tenant_id = :tenantId AND endpoint_id = :endpointId "
                + "AND id = :id AND (locked_until IS NULL OR locked_until < :now)",
                Map.of("endpointId", endpointId, "id", id, "now", at)) > 0;
    }

    private Delivery row(ResultSet rs, int i) throws SQLException {
        int code = rs.getInt("last_status_code");
        Integer lastCode = rs.wasNull() ? null : code;
        return new Delivery(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                rs.getObject("endpoint_id", UUID.class), rs.getObject("event_id", UUID.class), rs.getString("event_type"),
                rs.getString("status"), rs.getInt("attempts"), rs.getInt("schedule_step"), HostWebhookEndpoints.instant(rs, "next_attempt_at"),
                HostWebhookEndpoints.instant(rs, "locked_until"), lastCode, rs.getString("last_error"), HostWebhookEndpoints.instant(rs, "created_at"),
                HostWebhookEndpoints.instant(rs, "delivered_at"));
    }
}
