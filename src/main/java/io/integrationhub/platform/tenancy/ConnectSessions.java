package io.integrationhub.platform.tenancy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Connect sessions: a short-lived bearer token a host hands to its end user's browser instead of the tenant API
 * key. The token is 256 random bits shown once; only its SHA-256 digest is stored, like API keys.
 * {@link TenantAuthFilter} resolves it and {@link SessionAccess} decides what it may reach.
 */
@Service
public class ConnectSessions {

    /** Session tokens are told apart from tenant API keys ({@value ApiKeys#PREFIX}) by their prefix. */
    public static final String TOKEN_PREFIX = "ihs_";
    private static final String COLUMNS = "id, tenant_id, end_user_id, end_user_email, end_user_display_name, providers, "
            + "return_url, expires_at, revoked_at, created_at";

    /** A new session with its token in clear: the only moment the token exists outside the caller. */
    public record Created(ConnectSession session, String token) {
    }

    private final TenantJdbc tenantJdbc;
    private final NamedParameterJdbcTemplate jdbc;
    private final ConnectSessionProperties properties;
    private final ObjectMapper mapper;

    public ConnectSessions(TenantJdbc tenantJdbc, NamedParameterJdbcTemplate jdbc, ConnectSessionProperties properties,
            ObjectMapper mapper) {
        this.tenantJdbc = tenantJdbc;
        this.jdbc = jdbc;
        this.properties = properties;
        this.mapper = mapper;
    }

    public static boolean isSessionToken(String token) {
        return token != null && token.startsWith(TOKEN_PREFIX);
    }

    public Created create(UUID tenantId, EndUser endUser, List<String> providers, String returnUrl) {
        String token = TOKEN_PREFIX + ApiKeys.generate().substring(ApiKeys.PREFIX.length());
        Instant now = Instant.now();
        UUID id = UUID.randomUUID();
        Map<String, Object> params = new HashMap<>();
        params.put("id", id);
        params.put("hash", ApiKeys.hash(token));
        params.put("endUserId", endUser.id());
        params.put("email", endUser.email());
        params.put("displayName", endUser.displayName());
        params.put("providers", providers == null ? null : json(providers));
        params.put("returnUrl", returnUrl);
        params.put("expiresAt", Timestamp.from(now.plus(properties.getTtl())));
        params.put("now", Timestamp.from(now));
        tenantJdbc.update(tenantId, "INSERT INTO connect_sessions (id, tenant_id, token_hash, end_user_id, end_user_email, "
                + "end_user_display_name, providers, return_url, expires_at, created_at) VALUES (:id, :tenantId, :hash, "
                + ":endUserId, :email, :displayName, :providers, :returnUrl, :expiresAt, :now)", params);
        return new Created(find(tenantId, id).orElseThrow(), token);
    }

    /** The session a token names, live or not (callers check {@link ConnectSession#isLive()}). */
    public Optional<ConnectSession> forToken(String token) {
        if (!isSessionToken(token)) {
            return Optional.empty();
        }
        return jdbc.query("SELECT " + COLUMNS + " FROM connect_sessions WHERE token_hash = :hash",
                Map.of("hash", ApiKeys.hash(token)), this::map).stream().findFirst();
    }

    public Optional<ConnectSession> find(UUID tenantId, UUID id) {
        return tenantJdbc.queryOne(tenantId, "SELECT " + COLUMNS + " FROM connect_sessions WHERE tenant_id = :tenantId "
                + "AND id = :id", Map.of("id", id), this::map);
    }

    /** Ends a session of the tenant now; false when the tenant has no such session. Revoking twice is harmless. */
    public boolean revoke(UUID tenantId, UUID id) {
        tenantJdbc.update(tenantId, "UPDATE connect_sessions SET revoked_at = :now WHERE tenant_id = :tenantId AND id = :id "
                + "AND revoked_at IS NULL", Map.of("id", id, "now", Timestamp.from(Instant.now())));
        return find(tenantId, id).isPresent();
    }

    /** Whether the connection is the end user's (an unknown id or another end user's is simply not). */
    public boolean ownsConnection(ConnectSession session, UUID connectionId) {
        return tenantJdbc.queryOne(session.tenantId(), "SELECT id FROM connections WHERE tenant_id = :tenantId AND id = :id "
                + "AND end_user_id = :endUserId", Map.of("id", connectionId, "endUserId", session.endUser().id()),
                (rs, i) -> rs.getObject(1)).isPresent();
    }

    /** Whether the sync run is of one of the end user's connections. */
    public boolean ownsSyncRun(ConnectSession session, UUID syncRunId) {
        return tenantJdbc.queryOne(session.tenantId(), "SELECT s.id FROM sync_runs s JOIN connections c ON c.id = s.connection_id "
                + "WHERE s.tenant_id = :tenantId AND c.tenant_id = :tenantId AND s.id = :id AND c.end_user_id = :endUserId",
                Map.of("id", syncRunId, "endUserId", session.endUser().id()), (rs, i) -> rs.getObject(1)).isPresent();
    }

    private ConnectSession map(ResultSet rs, int row) throws SQLException {
        String providers = rs.getString("providers");
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new ConnectSession(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                new EndUser(rs.getString("end_user_id"), rs.getString("end_user_email"), rs.getString("end_user_display_name")),
                providers == null ? null : read(providers), rs.getString("return_url"),
                rs.getTimestamp("expires_at").toInstant(), revoked == null ? null : revoked.toInstant(),
                rs.getTimestamp("created_at").toInstant());
    }

    private String json(List<String> providers) {
        try {
            return mapper.writeValueAsString(providers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> read(String providers) {
        try {
            return mapper.readValue(providers, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt providers column in connect_sessions", e);
        }
    }
}
