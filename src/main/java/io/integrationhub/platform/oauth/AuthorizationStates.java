package io.integrationhub.platform.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

import io.integrationhub.platform.tenancy.TenantJdbc;
import io.integrationhub.platform.vault.Vault;

/**
 * Authorization {@code state} values: 256 random bits, stored only as their SHA-256, single use, expiring
 * after {@code hub.oauth.state-ttl}, bound to one tenant, connection and provider. The PKCE verifier
 * travels with it, sealed by the vault.
 */
@Repository
public class AuthorizationStates {

    private static final SecureRandom RANDOM = new SecureRandom();
    static final String VERIFIER_FIELD = "code_verifier";

    private final TenantJdbc tenantJdbc;
    private final NamedParameterJdbcTemplate jdbc;
    private final Vault vault;
    private final OAuthProperties properties;

    public AuthorizationStates(TenantJdbc tenantJdbc, NamedParameterJdbcTemplate jdbc, Vault vault, OAuthProperties properties) {
        this.tenantJdbc = tenantJdbc;
        this.jdbc = jdbc;
        this.vault = vault;
        this.properties = properties;
    }

    public record Issued(String state, String codeVerifier) {
        @Override
        public String toString() {
            return "Issued{***}";
        }
    }

    public record Pending(UUID tenantId, UUID connectionId, String provider, String codeVerifier, String returnUrl,
            Instant expiresAt, Instant usedAt) {
        @Override
        public String toString() {
            return "Pending{connection=" + connectionId + ", provider=" + provider + "}";
        }
    }

    /** A new state for the connection; any earlier unused state of the same connection stops working. */
    public Issued issue(UUID tenantId, UUID connectionId, String provider, boolean pkce, String returnUrl) {
        String state = random(32);
        String verifier = pkce ? random(48) : null;
        Instant now = Instant.now();
        tenantJdbc.update(tenantId, "DELETE FROM oauth_states WHERE tenant_id = :tenantId AND connection_id = :id",
                Map.of("id", connectionId));
        Map<String, Object> p = new HashMap<>();
        p.put("hash", sha256(state));
        p.put("id", connectionId);
        p.put("provider", provider);
        p.put("verifier", vault.seal(connectionId, VERIFIER_FIELD, verifier));
        p.put("returnUrl", returnUrl);
        p.put("expiresAt", Timestamp.from(now.plus(properties.getStateTtl())));
        p.put("now", Timestamp.from(now));
        tenantJdbc.update(tenantId, "INSERT INTO oauth_states (state_hash, tenant_id, connection_id, provider, "
                + "code_verifier_ct, return_url, expires_at, created_at) VALUES (:hash, :tenantId, :id, :provider, "
                + ":verifier, :returnUrl, :expiresAt, :now)", p);
        return new Issued(state, verifier);
    }

    /**
     * Looks a state up by its hash. This is where a callback (which carries no tenant credentials) learns its
     * tenant: possession of the unguessable state is the proof, so the lookup is by hash alone.
     */
    public Optional<Pending> find(String state) {
        if (state == null || state.isBlank() || state.length() > 512) {
            return Optional.empty();
        }
        List<Pending> rows = jdbc.query("SELECT tenant_id, connection_id, provider, code_verifier_ct, return_url, "
                + "expires_at, used_at FROM oauth_states WHERE state_hash = :hash", Map.of("hash", sha256(state)),
                (rs, i) -> {
                    UUID connection = rs.getObject("connection_id", UUID.class);
                    Timestamp used = rs.getTimestamp("used_at");
                    return new Pending(rs.getObject("tenant_id", UUID.class), connection, rs.getString("provider"),
                            vault.open(connection, VERIFIER_FIELD, rs.getBytes("code_verifier_ct")),
                            rs.getString("return_url"), rs.getTimestamp("expires_at").toInstant(),
                            used == null ? null : used.toInstant());
                });
        return rows.stream().findFirst();
    }

    /** Marks the state used; false when it was already used or has expired (atomic: two racing callbacks, one wins). */
    public boolean consume(UUID tenantId, String state) {
        Timestamp now = Timestamp.from(Instant.now());
        return tenantJdbc.update(tenantId, "UPDATE oauth_states SET used_at = :now WHERE tenant_id = :tenantId "
                + "AND state_hash = :hash AND used_at IS NULL AND expires_at > :now",
                Map.of("hash", sha256(state), "now", now)) == 1;
    }

    public void deleteFor(UUID tenantId, UUID connectionId) {
        tenantJdbc.update(tenantId, "DELETE FROM oauth_states WHERE tenant_id = :tenantId AND connection_id = :id",
                Map.of("id", connectionId));
    }

    static String challenge(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest(verifier));
    }

    static String sha256(String value) {
        return HexFormat.of().formatHex(digest(value));
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
