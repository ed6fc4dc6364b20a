package io.integrationhub.platform.connections;

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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.tenancy.EndUser;
import io.integrationhub.platform.tenancy.TenantJdbc;

/** Connections of one tenant at a time; every statement is scoped through {@link TenantJdbc}. */
@Repository
public class ConnectionRepository {

    private static final String COLUMNS = "id, provider, name, status, account_id, account_name, account_email, scopes, "
            + "config, last_sync_at, last_error, error_count, created_at, updated_at, end_user_id, end_user_email, "
            + "end_user_display_name, "
            + "(SELECT cr.refresh_expires_at FROM credentials cr WHERE cr.connection_id = connections.id) AS refresh_horizon";

    private final TenantJdbc jdbc;
    private final ObjectMapper mapper;

    public ConnectionRepository(TenantJdbc jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    public List<Connection> list(UUID tenantId, String provider, String status) {
        return list(tenantId, provider, status, null);
    }

    /** The tenant's connections, narrowed to one end user's when {@code endUserId} is not null. */
    public List<Connection> list(UUID tenantId, String provider, String status, String endUserId) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM connections WHERE tenant_id = :tenantId");
        Map<String, Object> params = new HashMap<>();
        if (endUserId != null) {
            sql.append(" AND end_user_id = :endUserId");
            params.put("endUserId", endUserId);
        }
        if (provider != null) {
            sql.append(" AND provider = :provider");
            params.put("provider", provider);
        }
        if (status != null) {
            sql.append(" AND status = :status");
            params.put("status", status);
        }
        sql.append(" ORDER BY created_at, id");
        return jdbc.query(tenantId, sql.toString(), params, this::map);
    }

    public Optional<Connection> find(UUID tenantId, UUID id) {
        return jdbc.queryOne(tenantId, "SELECT " + COLUMNS + " FROM connections WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id), this::map);
    }

    public Connection insert(UUID tenantId, String provider, String name, ConnectionStatus status, List<String> scopes,
            ObjectNode config) {
        return insert(tenantId, provider, name, status, scopes, config, null);
    }

    /** A new connection, of {@code endUser} when not null (an end user may hold any number of connections). */
    public Connection insert(UUID tenantId, String provider, String name, ConnectionStatus status, List<String> scopes,
            ObjectNode config, EndUser endUser) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        Map<String, Object> params = new HashMap<>();
        params.put("id", id);
        params.put("provider", provider);
        params.put("name", name);
        params.put("status", status.wire());
        params.put("scopes", json(scopes));
        params.put("config", json(config == null ? mapper.createObjectNode() : config));
        params.put("now", now);
        params.put("endUserId", endUser == null ? null : endUser.id());
        params.put("endUserEmail", endUser == null ? null : endUser.email());
        params.put("endUserDisplayName", endUser == null ? null : endUser.displayName());
        jdbc.update(tenantId, "INSERT INTO connections (id, tenant_id, provider, name, status, scopes, config, created_at, "
                + "updated_at, end_user_id, end_user_email, end_user_display_name) VALUES (:id, :tenantId, :provider, :name, "
                + ":status, :scopes, :config, :now, :now, :endUserId, :endUserEmail, :endUserDisplayName)", params);
        return find(tenantId, id).orElseThrow();
    }

    public void updateNameAndConfig(UUID tenantId, UUID id, String name, ObjectNode config) {
        jdbc.update(tenantId, "UPDATE connections SET name = :name, config = :config, updated_at = :now "
                        + "WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id, "name", name, "config", json(config), "now", Timestamp.from(Instant.now())));
    }

    /** Sets the status; {@code lastError} null clears it. Returns false when the row is not the tenant's. */
    public boolean updateStatus(UUID tenantId, UUID id, ConnectionStatus status, String lastError) {
        Map<String, Object> params = new HashMap<>();
        params.put("id", id);
        params.put("status", status.wire());
        params.put("lastError", lastError);
        params.put("now", Timestamp.from(Instant.now()));
        String errorCount = lastError == null ? "error_count" : "error_count + 1";
        return jdbc.update(tenantId, "UPDATE connections SET status = :status, last_error = :lastError, error_count = "
                + errorCount + ", updated_at = :now WHERE tenant_id = :tenantId AND id = :id", params) == 1;
    }

    public void updateAccount(UUID tenantId, UUID id, Connection.Account account, List<String> scopes) {
        Map<String, Object> params = new HashMap<>();
        params.put("id", id);
        params.put("accountId", account.id());
        params.put("accountName", account.name());
        params.put("accountEmail", account.email());
        params.put("scopes", json(scopes));
        params.put("now", Timestamp.from(Instant.now()));
        jdbc.update(tenantId, "UPDATE connections SET account_id = :accountId, account_name = :accountName, "
                + "account_email = :accountEmail, scopes = :scopes, updated_at = :now "
                + "WHERE tenant_id = :tenantId AND id = :id", params);
    }

    private Connection map(ResultSet rs, int row) throws SQLException {
        String accountId = rs.getString("account_id");
        Connection.Account account = accountId == null && rs.getString("account_name") == null ? null
                : new Connection.Account(accountId, rs.getString("account_name"), rs.getString("account_email"));
        return new Connection(
                rs.getObject("id", UUID.class),
                rs.getString("provider"),
                rs.getString("name"),
                ConnectionStatus.fromWire(rs.getString("status")),
                account,
                read(rs.getString("scopes"), new TypeReference<List<String>>() { }),
                instant(rs.getTimestamp("last_sync_at")),
                rs.getString("last_error"),
                rs.getInt("error_count"),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("updated_at")),
                read(rs.getString("config"), new TypeReference<ObjectNode>() { }),
                instant(rs.getTimestamp("refresh_horizon")),
                rs.getString("end_user_id") == null ? null : new EndUser(rs.getString("end_user_id"),
                        rs.getString("end_user_email"), rs.getString("end_user_display_name")));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise connection column", e);
        }
    }

    private <T> T read(String json, TypeReference<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON column in connections", e);
        }
    }
}
