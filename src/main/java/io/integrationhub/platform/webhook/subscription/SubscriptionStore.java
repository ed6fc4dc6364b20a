package io.integrationhub.platform.webhook.subscription;

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
import org.springframework.stereotype.Repository;

import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * Rows of {@code provider_subscriptions}. Lookups by external id come from provider notifications,
 * before any tenant is known (the stored secret then authenticates them); everything else is
 * tenant-scoped through {@link TenantJdbc}.
 */
@Repository
public class SubscriptionStore {

    private static final String COLUMNS = "id, tenant_id, connection_id, provider, kind, external_id, resource, resource_id, "
            + "change_type, secret_ct, expires_at, status, last_error";

    private final NamedParameterJdbcTemplate platform;
    private final TenantJdbc tenants;

    public SubscriptionStore(NamedParameterJdbcTemplate platform, TenantJdbc tenants) {
        this.platform = platform;
        this.tenants = tenants;
    }

    /** A notification's subscription, by provider-side id; not tenant-scoped because the caller is the provider. */
    public Optional<ProviderSubscription> findByExternalId(String kind, String externalId) {
        return platform.query("SELECT " + COLUMNS + " FROM provider_subscriptions WHERE kind = :kind AND external_id = :ext",
                Map.of("kind", kind, "ext", externalId), this::map).stream().findFirst();
    }

    /** The tenant owning a connection (disconnect listeners are given the connection only). */
    public UUID tenantOfConnection(UUID connectionId) {
        return platform.queryForObject("SELECT tenant_id FROM connections WHERE id = :id", Map.of("id", connectionId), UUID.class);
    }

    public Optional<ProviderSubscription> find(UUID tenantId, UUID id) {
        return tenants.queryOne(tenantId, "SELECT " + COLUMNS + " FROM provider_subscriptions WHERE tenant_id = :tenantId "
                + "AND id = :id", Map.of("id", id), this::map);
    }

    public List<ProviderSubscription> forConnection(UUID tenantId, UUID connectionId) {
        return tenants.query(tenantId, "SELECT " + COLUMNS + " FROM provider_subscriptions WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId ORDER BY created_at", Map.of("connectionId", connectionId), this::map);
    }

    /** Subscriptions of every tenant that expire before {@code before} (the renewal job's work list). */
    public List<ProviderSubscription> dueForRenewal(Instant before, int limit) {
        return platform.query("SELECT " + COLUMNS + " FROM provider_subscriptions WHERE status IN ('active', 'failed') "
                + "AND expires_at < :before ORDER BY expires_at LIMIT " + Math.max(1, limit),
                Map.of("before", Timestamp.from(before)), this::map);
    }

    public void insert(ProviderSubscription s) {
        Map<String, Object> p = params(s);
        tenants.update(s.tenantId(), "INSERT INTO provider_subscriptions (id, tenant_id, connection_id, provider, kind, "
                + "external_id, resource, resource_id, change_type, secret_ct, expires_at, status, last_error, renewed_at, "
                + "created_at, updated_at) VALUES (:id, :tenantId, :connectionId, :provider, :kind, :externalId, :resource, "
                + ":resourceId, :changeType, :secretCt, :expiresAt, :status, :lastError, :now, :now, :now)", p);
    }

    /** Replaces the provider-side identity after a renewal or re-creation. */
    public void update(ProviderSubscription s) {
        tenants.update(s.tenantId(), "UPDATE provider_subscriptions SET external_id = :externalId, resource_id = :resourceId, "
                + "secret_ct = :secretCt, expires_at = :expiresAt, status = :status, last_error = :lastError, "
                + "renewed_at = :now, updated_at = :now WHERE tenant_id = :tenantId AND id = :id", params(s));
    }

    public void markStatus(UUID tenantId, UUID id, String status, String error) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", id);
        p.put("status", status);
        p.put("error", error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error);
        p.put("now", Timestamp.from(Instant.now()));
        tenants.update(tenantId, "UPDATE provider_subscriptions SET status = :status, last_error = :error, updated_at = :now "
                + "WHERE tenant_id = :tenantId AND id = :id", p);
    }

    private static Map<String, Object> params(ProviderSubscription s) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", s.id());
        p.put("connectionId", s.connectionId());
        p.put("provider", s.provider());
        p.put("kind", s.kind());
        p.put("externalId", s.externalId());
        p.put("resource", s.resource());
        p.put("resourceId", s.resourceId());
        p.put("changeType", s.changeType());
        p.put("secretCt", s.secretCt());
        p.put("expiresAt", s.expiresAt() == null ? null : Timestamp.from(s.expiresAt()));
        p.put("status", s.status());
        p.put("lastError", s.lastError());
        p.put("now", Timestamp.from(Instant.now()));
        return p;
    }

    private ProviderSubscription map(ResultSet rs, int row) throws SQLException {
        Timestamp expires = rs.getTimestamp("expires_at");
        return new ProviderSubscription(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                rs.getObject("connection_id", UUID.class), rs.getString("provider"), rs.getString("kind"),
                rs.getString("external_id"), rs.getString("resource"), rs.getString("resource_id"),
                rs.getString("change_type"), rs.getBytes("secret_ct"), expires == null ? null : expires.toInstant(),
                rs.getString("status"), rs.getString("last_error"));
    }
}
