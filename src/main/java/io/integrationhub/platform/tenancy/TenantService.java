package io.integrationhub.platform.tenancy;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.ProblemException;

/** Tenants and their API keys. Platform-level (not tenant-scoped): only the admin and the auth filter call it. */
@Service
public class TenantService {

    public record Tenant(UUID id, String name, Instant createdAt) {
    }

    /** A newly created tenant with its key in clear: the only moment the key exists outside the caller. */
    public record CreatedTenant(UUID id, String name, String apiKey) {
    }

    private final NamedParameterJdbcTemplate jdbc;

    public TenantService(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional
    public CreatedTenant create(String name) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.isEmpty() || trimmed.length() > 200) {
            throw ProblemException.unprocessable("name must be 1 to 200 characters",
                    new Problem.FieldError("/name", "must be 1 to 200 characters"));
        }
        UUID id;
        try {
            id = createWithoutKey(trimmed);
        } catch (DuplicateKeyException e) {
            throw ProblemException.conflict("a tenant named '" + trimmed + "' already exists");
        }
        String key = ApiKeys.generate();
        addKey(id, key);
        return new CreatedTenant(id, trimmed, key);
    }

    public UUID createWithoutKey(String name) {
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO tenants (id, name, created_at) VALUES (:id, :name, :now)",
                Map.of("id", id, "name", name, "now", Timestamp.from(Instant.now())));
        return id;
    }

    public void addKey(UUID tenantId, String key) {
        jdbc.update("INSERT INTO api_keys (id, tenant_id, key_hash, key_prefix, created_at) "
                        + "VALUES (:id, :tenantId, :hash, :prefix, :now)",
                Map.of("id", UUID.randomUUID(), "tenantId", tenantId, "hash", ApiKeys.hash(key),
                        "prefix", ApiKeys.displayPrefix(key), "now", Timestamp.from(Instant.now())));
    }

    public Optional<Tenant> findByName(String name) {
        List<Tenant> rows = jdbc.query("SELECT id, name, created_at FROM tenants WHERE name = :name",
                Map.of("name", name), (rs, i) -> new Tenant(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getTimestamp("created_at").toInstant()));
        return rows.stream().findFirst();
    }

    /** The tenant owning an API key, if the key is known and not revoked. */
    public Optional<UUID> tenantForKey(String key) {
        List<UUID> rows = jdbc.query("SELECT tenant_id FROM api_keys WHERE key_hash = :hash AND revoked_at IS NULL",
                Map.of("hash", ApiKeys.hash(key)), (rs, i) -> rs.getObject("tenant_id", UUID.class));
        return rows.stream().findFirst();
    }

    public boolean hasKey(UUID tenantId, String key) {
        return tenantForKey(key).filter(tenantId::equals).isPresent();
    }
}
