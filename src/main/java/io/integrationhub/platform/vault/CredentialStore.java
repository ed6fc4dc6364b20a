package io.integrationhub.platform.vault;

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

import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The credentials table: ciphertext in, plaintext {@link Credentials} out, one row per connection, always
 * scoped to the tenant. {@link #lock} takes the row lock ({@code SELECT ... FOR UPDATE}) that makes a token
 * refresh single-flight across every hub instance sharing the database.
 */
@Repository
public class CredentialStore {

    static final String ACCESS = "access_token";
    static final String REFRESH = "refresh_token";
    static final String API_KEY = "api_key";

    private static final String COLUMNS = "connection_id, access_token_ct, refresh_token_ct, api_key_ct, token_type, "
            + "expires_at, refresh_expires_at, refreshed_at, version, provider_data";

    private final TenantJdbc jdbc;
    private final Vault vault;
    private final ObjectMapper mapper;

    public CredentialStore(TenantJdbc jdbc, Vault vault, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.vault = vault;
        this.mapper = mapper;
    }

    public Optional<Credentials> find(UUID tenantId, UUID connectionId) {
        return jdbc.queryOne(tenantId, "SELECT " + COLUMNS + " FROM credentials WHERE tenant_id = :tenantId "
                + "AND connection_id = :id", Map.of("id", connectionId), this::map);
    }

    /** Reads the row and holds its lock until the surrounding transaction ends. */
    public Optional<Credentials> lock(UUID tenantId, UUID connectionId) {
        return jdbc.queryOne(tenantId, "SELECT " + COLUMNS + " FROM credentials WHERE tenant_id = :tenantId "
                + "AND connection_id = :id FOR UPDATE", Map.of("id", connectionId), this::map);
    }

    /** A refresh in flight: who holds it and until when (both null when none). */
    public record RefreshLease(String owner, Instant until) {
        public boolean liveAt(Instant now) {
            return owner != null && until != null && until.isAfter(now);
        }
    }

    /** The row's refresh lease; call under {@link #lock} to act on it. */
    public RefreshLease lease(UUID tenantId, UUID connectionId) {
        return jdbc.queryOne(tenantId, "SELECT refresh_lease_owner, refresh_lease_until FROM credentials "
                + "WHERE tenant_id = :tenantId AND connection_id = :id", Map.of("id", connectionId),
                (rs, n) -> new RefreshLease(rs.getString("refresh_lease_owner"),
                        rs.getTimestamp("refresh_lease_until") == null ? null : rs.getTimestamp("refresh_lease_until").toInstant()))
                .orElse(new RefreshLease(null, null));
    }

    public void takeLease(UUID tenantId, UUID connectionId, String owner, Instant until) {
        jdbc.update(tenantId, "UPDATE credentials SET refresh_lease_owner = :owner, refresh_lease_until = :until "
                + "WHERE tenant_id = :tenantId AND connection_id = :id",
                Map.of("id", connectionId, "owner", owner, "until", ts(until)));
    }

    /** Ends the lease if {@code owner} still holds it. */
    public void releaseLease(UUID tenantId, UUID connectionId, String owner) {
        jdbc.update(tenantId, "UPDATE credentials SET refresh_lease_owner = NULL, refresh_lease_until = NULL "
                + "WHERE tenant_id = :tenantId AND connection_id = :id AND refresh_lease_owner = :owner",
                Map.of("id", connectionId, "owner", owner));
    }

    /** Writes (insert or replace) the connection's secrets, sealed with the active key; bumps the version. */
    public void save(UUID tenantId, Credentials c) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", c.connectionId());
        p.put("access", vault.seal(c.connectionId(), ACCESS, c.accessToken()));
        p.put("refresh", vault.seal(c.connectionId(), REFRESH, c.refreshToken()));
        p.put("apiKey", vault.seal(c.connectionId(), API_KEY, c.apiKey()));
        p.put("tokenType", c.tokenType());
        p.put("expiresAt", ts(c.expiresAt()));
        p.put("refreshExpiresAt", ts(c.refreshExpiresAt()));
        p.put("refreshedAt", ts(c.refreshedAt()));
        p.put("keyId", vault.activeKeyId());
        p.put("providerData", json(c.providerData()));
        p.put("now", ts(Instant.now()));
        int updated = jdbc.update(tenantId, "UPDATE credentials SET access_token_ct = :access, refresh_token_ct = :refresh, "
                + "api_key_ct = :apiKey, token_type = :tokenType, expires_at = :expiresAt, "
                + "refresh_expires_at = :refreshExpiresAt, refreshed_at = :refreshedAt, key_id = :keyId, "
                + "provider_data = :providerData, version = version + 1, updated_at = :now "
                + "WHERE tenant_id = :tenantId AND connection_id = :id", p);
        if (updated == 0) {
            jdbc.update(tenantId, "INSERT INTO credentials (connection_id, tenant_id, access_token_ct, refresh_token_ct, "
                    + "api_key_ct, token_type, expires_at, refresh_expires_at, refreshed_at, key_id, provider_data, version, "
                    + "updated_at) VALUES (:id, :tenantId, :access, :refresh, :apiKey, :tokenType, :expiresAt, "
                    + ":refreshExpiresAt, :refreshedAt, :keyId, :providerData, 1, :now)", p);
        }
    }

    public boolean delete(UUID tenantId, UUID connectionId) {
        return jdbc.update(tenantId, "DELETE FROM credentials WHERE tenant_id = :tenantId AND connection_id = :id",
                Map.of("id", connectionId)) > 0;
    }

    /** Connections of the tenant whose rows are sealed (wholly or partly) with another key than the active one. */
    public List<UUID> sealedWithOtherKey(UUID tenantId) {
        return jdbc.query(tenantId, "SELECT connection_id FROM credentials WHERE tenant_id = :tenantId "
                + "AND (key_id IS NULL OR key_id <> :active)", Map.of("active", vault.activeKeyId()),
                (rs, i) -> rs.getObject(1, UUID.class));
    }

    /** Re-seals one row with the active key under its row lock (call inside a transaction). */
    public boolean reseal(UUID tenantId, UUID connectionId) {
        Optional<Credentials> current = lock(tenantId, connectionId);
        current.ifPresent(c -> save(tenantId, c));
        return current.isPresent();
    }

    private Credentials map(ResultSet rs, int row) throws SQLException {
        UUID id = rs.getObject("connection_id", UUID.class);
        return new Credentials(id,
                vault.open(id, ACCESS, rs.getBytes("access_token_ct")),
                vault.open(id, REFRESH, rs.getBytes("refresh_token_ct")),
                vault.open(id, API_KEY, rs.getBytes("api_key_ct")),
                rs.getString("token_type"),
                instant(rs.getTimestamp("expires_at")),
                instant(rs.getTimestamp("refresh_expires_at")),
                instant(rs.getTimestamp("refreshed_at")),
                rs.getLong("version"),
                read(rs.getString("provider_data")));
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private String json(Map<String, String> data) {
        try {
            return mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise provider data", e);
        }
    }

    private Map<String, String> read(String json) {
        try {
            return json == null ? Map.of() : mapper.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt provider data in credentials", e);
        }
    }
}
