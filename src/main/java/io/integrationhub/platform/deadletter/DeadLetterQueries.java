package io.integrationhub.platform.deadletter;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Repository;

import io.integrationhub.platform.tenancy.TenantJdbc;

/** Dead letters as a tenant sees them (never the stored headers or body), and their replay bookkeeping. */
@Repository
public class DeadLetterQueries {

    public record DeadLetter(UUID id, UUID connectionId, String routeId, String sourceType, String sourceId,
            String exceptionType, String exceptionMessage, String status, int replayCount, Instant replayedAt,
            Instant createdAt) {
    }

    private static final String COLUMNS = "id, connection_id, route_id, source_type, source_id, exception_type, "
            + "exception_message, status, replay_count, replayed_at, created_at";

    private final TenantJdbc jdbc;

    public DeadLetterQueries(TenantJdbc jdbc) {
        this.jdbc = jdbc;
    }

    public List<DeadLetter> list(UUID tenantId, String status, Instant beforeAt, UUID beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM dead_letters WHERE tenant_id = :tenantId");
        Map<String, Object> p = new HashMap<>();
        if (status != null) {
            sql.append(" AND status = :status");
            p.put("status", status);
        }
        if (beforeAt != null) {
            sql.append(" AND (created_at, id) < (:beforeAt, :beforeId)");
            p.put("beforeAt", Timestamp.from(beforeAt));
            p.put("beforeId", beforeId);
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(limit);
        return jdbc.query(tenantId, sql.toString(), p, DeadLetterQueries::map);
    }

    public Optional<DeadLetter> find(UUID tenantId, UUID id) {
        return jdbc.queryOne(tenantId, "SELECT " + COLUMNS + " FROM dead_letters WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id), DeadLetterQueries::map);
    }

    /** Marks a failed dead letter replayed; false when it was replayed already (replay is idempotent). */
    public boolean markReplayed(UUID tenantId, UUID id) {
        return jdbc.update(tenantId, "UPDATE dead_letters SET status = 'replayed', replay_count = replay_count + 1, "
                + "replayed_at = :now WHERE tenant_id = :tenantId AND id = :id AND status = 'failed'",
                Map.of("id", id, "now", Timestamp.from(Instant.now()))) == 1;
    }

    private static DeadLetter map(ResultSet rs, int row) throws SQLException {
        Timestamp replayed = rs.getTimestamp("replayed_at");
        return new DeadLetter(rs.getObject("id", UUID.class), rs.getObject("connection_id", UUID.class),
                rs.getString("route_id"), rs.getString("source_type"), rs.getString("source_id"),
                rs.getString("exception_type"), rs.getString("exception_message"), rs.getString("status"),
                rs.getInt("replay_count"), replayed == null ? null : replayed.toInstant(),
                rs.getTimestamp("created_at").toInstant());
    }
}
