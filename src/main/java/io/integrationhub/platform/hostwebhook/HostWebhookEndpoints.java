package io.integrationhub.platform.hostwebhook;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.tenancy.TenantJdbc;
import io.integrationhub.platform.vault.ResealableSecrets;
import io.integrationhub.platform.vault.Vault;

/**
 * The {@code webhook_endpoints} table, always scoped to a tenant ({@link TenantJdbc}). Signing secrets
 * ({@code whsec_<base64 of 32 random bytes>}) are sealed by the {@link Vault} with the endpoint id as associated
 * data, handed out once (create, rotate) and otherwise only opened to sign a delivery.
 */
@Component
public class HostWebhookEndpoints implements ResealableSecrets {

    /** The vault field of the signing secrets (associated data with the endpoint id). */
    static final String SECRET_FIELD = "host-webhook-secret";
    static final String SECRET_PREFIX = "whsec_";

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final String COLUMNS = "id, tenant_id, url, events, description, enabled, disabled_reason, disabled_at, "
            + "previous_secret_expires_at, failing_since, created_at, updated_at";

    private final TenantJdbc jdbc;
    private final NamedParameterJdbcTemplate allTenants;
    private final Vault vault;
    private final ObjectMapper mapper;
    private final TransactionTemplate tx;
    private final SecureRandom random = new SecureRandom();

    public HostWebhookEndpoints(TenantJdbc jdbc, NamedParameterJdbcTemplate allTenants, Vault vault, ObjectMapper mapper,
            TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.allTenants = allTenants;
        this.vault = vault;
        this.mapper = mapper;
        this.tx = tx;
    }

    public record Endpoint(UUID id, UUID tenantId, String url, List<String> events, String description, boolean enabled,
            String disabledReason, Instant disabledAt, Instant previousSecretExpiresAt, Instant failingSince,
            Instant createdAt, Instant updatedAt) {
    }

    /** A new endpoint and its secret (the only time the secret is seen). */
    public record Created(Endpoint endpoint, String secret) {
    }

    public Created create(UUID tenantId, String url, List<String> events, String description, boolean enabled) {
        UUID id = UUID.randomUUID();
        String secret = newSecret();
        Timestamp now = Timestamp.from(Instant.now());
        Map<String, Object> p = new HashMap<>();
        p.put("id", id);
        p.put("url", url);
        p.put("events", json(events));
        p.put("description", description);
        p.put("enabled", enabled);
        p.put("secret", vault.seal(id, SECRET_FIELD, secret));
        p.put("now", now);
        jdbc.update(tenantId, "INSERT INTO webhook_endpoints (id, tenant_id, url, events, description, enabled, secret_sealed, "
                + "created_at, updated_at) VALUES (:id, :tenantId, :url, :events, :description, :enabled, :secret, :now, :now)", p);
        return new Created(find(tenantId, id).orElseThrow(), secret);
    }

    public List<Endpoint> list(UUID tenantId) {
        return jdbc.query(tenantId, "SELECT " + COLUMNS + " FROM webhook_endpoints WHERE tenant_id = :tenantId "
                + "ORDER BY created_at, id", Map.of(), this::row);
    }

    public Optional<Endpoint> find(UUID tenantId, UUID id) {
        return jdbc.queryOne(tenantId, "SELECT " + COLUMNS + " FROM webhook_endpoints WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id), this::row);
    }

    /** Changes the given fields (null = unchanged); enabling clears the reason it was disabled and its failure streak. */
    public Optional<Endpoint> update(UUID tenantId, UUID id, String url, List<String> events, String description,
            boolean descriptionSet, Boolean enabled) {
        Endpoint current = find(tenantId, id).orElse(null);
        if (current == null) {
            return Optional.empty();
        }
        boolean enable = enabled == null ? current.enabled() : enabled;
        boolean reEnabled = enable && !current.enabled();
        Map<String, Object> p = new HashMap<>();
        p.put("id", id);
        p.put("url", url == null ? current.url() : url);
        p.put("events", json(events == null ? current.events() : events));
        p.put("description", descriptionSet ? description : current.description());
        p.put("enabled", enable);
        p.put("reason", enable ? null : current.enabled() ? "disabled by the tenant" : current.disabledReason());
        p.put("disabledAt", enable ? null : current.enabled() ? Timestamp.from(Instant.now()) : ts(current.disabledAt()));
        p.put("failingSince", reEnabled ? null : ts(current.failingSince()));
        p.put("now", Timestamp.from(Instant.now()));
        jdbc.update(tenantId, "UPDATE webhook_endpoints SET url = :url, events = :events, description = :description, "
                + "enabled = :enabled, disabled_reason = :reason, disabled_at = :disabledAt, failing_since = :failingSince, "
                + "updated_at = :now WHERE tenant_id = :tenantId AND id = :id", p);
        return find(tenantId, id);
    }

    public boolean delete(UUID tenantId, UUID id) {
        return jdbc.update(tenantId, "DELETE FROM webhook_endpoints WHERE tenant_id = :tenantId AND id = :id", Map.of("id", id)) > 0;
    }

    /** A new secret; the current one becomes the previous one, still signing until {@code graceEnd}. */
    public Optional<String> rotate(UUID tenantId, UUID id, Instant graceEnd) {
        byte[] current = jdbc.queryOne(tenantId, "SELECT secret_sealed FROM webhook_endpoints WHERE tenant_id = :tenantId "
                + "AND id = :id FOR UPDATE", Map.of("id", id), (rs, i) -> rs.getBytes(1)).orElse(null);
        if (current == null) {
            return Optional.empty();
        }
        String secret = newSecret();
        jdbc.update(tenantId, "UPDATE webhook_endpoints SET secret_sealed = :secret, previous_secret_sealed = :previous, "
                + "previous_secret_expires_at = :graceEnd, updated_at = :now WHERE tenant_id = :tenantId AND id = :id",
                Map.of("id", id, "secret", vault.seal(id, SECRET_FIELD, secret), "previous", current,
                        "graceEnd", Timestamp.from(graceEnd), "now", Timestamp.from(Instant.now())));
        return Optional.of(secret);
    }

    /** The secrets that sign a delivery now: the current one, and the previous one during its grace period. */
    public List<String> signingSecrets(UUID tenantId, UUID id, Instant now) {
        return jdbc.queryOne(tenantId, "SELECT secret_sealed, previous_secret_sealed, previous_secret_expires_at "
                + "FROM webhook_endpoints WHERE tenant_id = :tenantId AND id = :id", Map.of("id", id), (rs, i) -> {
                    List<String> secrets = new ArrayList<>(2);
                    secrets.add(vault.open(id, SECRET_FIELD, rs.getBytes(1)));
                    Timestamp until = rs.getTimestamp(3);
                    if (rs.getBytes(2) != null && until != null && until.toInstant().isAfter(now)) {
                        secrets.add(vault.open(id, SECRET_FIELD, rs.getBytes(2)));
                    }
                    return secrets;
                }).orElse(List.of());
    }

    /** Disables an enabled endpoint; false when it was not enabled (or is gone). */
    public boolean disable(UUID tenantId, UUID id, String reason) {
        Timestamp now = Timestamp.from(Instant.now());
        return jdbc.update(tenantId, "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = :reason, disabled_at = :now, "
                + "updated_at = :now WHERE tenant_id = :tenantId AND id = :id AND enabled = TRUE",
                Map.of("id", id, "reason", reason, "now", now)) > 0;
    }

    /** After an attempt: a 2xx ends the endpoint's failure streak, a failure starts one (when none runs). */
    public void recordOutcome(UUID tenantId, UUID id, boolean succeeded, Instant at) {
        if (succeeded) {
            jdbc.update(tenantId, "UPDATE webhook_endpoints SET failing_since = NULL WHERE tenant_id = :tenantId AND id = :id "
                    + "AND failing_since IS NOT NULL", Map.of("id", id));
        } else {
            jdbc.update(tenantId, "UPDATE webhook_endpoints SET failing_since = :at WHERE tenant_id = :tenantId AND id = :id "
                    + "AND failing_since IS NULL", Map.of("id", id, "at", Timestamp.from(at)));
        }
    }

    /**
     * The tenants with at least one enabled endpoint (a cross-tenant read of tenant ids only): the relay's fan-out
     * reads no event of the others.
     */
    public Set<UUID> tenantsWithEnabledEndpoints() {
        return Set.copyOf(allTenants.queryForList("SELECT DISTINCT tenant_id FROM webhook_endpoints WHERE enabled = TRUE",
                Map.of(), UUID.class));
    }

    /** Vault key rotation: secrets (current and previous) sealed with an older key are sealed again with the active one. */
    @Override
    public int resealWithActiveKey() {
        String active = vault.activeKeyId();
        // The one cross-tenant read: tenant ids only; each endpoint is then handled in its tenant's scope.
        List<UUID> tenants = allTenants.queryForList("SELECT DISTINCT tenant_id FROM webhook_endpoints", Map.of(), UUID.class);
        int moved = 0;
        for (UUID tenant : tenants) {
            for (Endpoint e : list(tenant)) {
                Boolean done = tx.execute(s -> {
                    byte[][] sealed = jdbc.queryOne(tenant, "SELECT secret_sealed, previous_secret_sealed FROM webhook_endpoints "
                            + "WHERE tenant_id = :tenantId AND id = :id FOR UPDATE", Map.of("id", e.id()),
                            (rs, i) -> new byte[][] {rs.getBytes(1), rs.getBytes(2)}).orElse(null);
                    if (sealed == null) {
                        return false;
                    }
                    boolean currentOld = !active.equals(Vault.keyIdOf(sealed[0]));
                    boolean previousOld = sealed[1] != null && !active.equals(Vault.keyIdOf(sealed[1]));
                    if (!currentOld && !previousOld) {
                        return false;
                    }
                    Map<String, Object> p = new HashMap<>();
                    p.put("id", e.id());
                    p.put("current", currentOld ? reseal(e.id(), sealed[0]) : sealed[0]);
                    p.put("previous", previousOld ? reseal(e.id(), sealed[1]) : sealed[1]);
                    jdbc.update(tenant, "UPDATE webhook_endpoints SET secret_sealed = :current, previous_secret_sealed = :previous "
                            + "WHERE tenant_id = :tenantId AND id = :id", p);
                    return true;
                });
                moved += Boolean.TRUE.equals(done) ? 1 : 0;
            }
        }
        return moved;
    }

    private byte[] reseal(UUID id, byte[] sealed) {
        return vault.seal(id, SECRET_FIELD, vault.open(id, SECRET_FIELD, sealed));
    }

    private String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    List<String> events(String json) {
        try {
            return mapper.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("webhook endpoint events are not a JSON list", e);
        }
    }

    private String json(List<String> events) {
        try {
            return mapper.writeValueAsString(events);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private Endpoint row(ResultSet rs, int i) throws SQLException {
        return new Endpoint(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class), rs.getString("url"),
                events(rs.getString("events")), rs.getString("description"), rs.getBoolean("enabled"),
                rs.getString("disabled_reason"), instant(rs, "disabled_at"), instant(rs, "previous_secret_expires_at"),
                instant(rs, "failing_since"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }
}
