package io.integrationhub.platform.tenancy;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.ProblemException;

/** Tenants and their API keys. Platform-level (not tenant-scoped): only the admin and the auth filter call it. */
@Service
public class TenantService {

    public record Tenant(UUID id, String name, Instant createdAt) {
    }

    /**
     * A tenant's settings as the admin API shows them: {@code embedOrigins} are the origins whose pages may frame
     * the dashboard opened with one of its connect sessions (CSP {@code frame-ancestors}).
     */
    public record TenantSettings(UUID id, String name, Instant createdAt, List<String> embedOrigins) {
    }

    /** An origin as CSP frame-ancestors takes it: scheme, host (optionally {@code *.} wildcard) and port, no path. */
    private static final Pattern ORIGIN = Pattern.compile("^https?://(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$");
    private static final int MAX_EMBED_ORIGINS = 20;

    /** A newly created tenant with its key in clear: the only moment the key exists outside the caller. */
    public record CreatedTenant(UUID id, String name, String apiKey) {
    }

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper mapper;

    public TenantService(NamedParameterJdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    public TenantSettings settings(UUID tenantId) {
        return jdbc.query("SELECT id, name, created_at, embed_origins FROM tenants WHERE id = :id", Map.of("id", tenantId),
                (rs, i) -> new TenantSettings(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getTimestamp("created_at").toInstant(), origins(rs.getString("embed_origins"))))
                .stream().findFirst().orElseThrow(() -> ProblemException.notFound("Tenant " + tenantId));
    }

    /** Replaces the tenant's embed origins ({@code embedOrigins}: an array of origins; empty: no framing at all). */
    @Transactional
    public TenantSettings updateSettings(UUID tenantId, JsonNode body) {
        settings(tenantId);
        JsonNode node = body.get("embedOrigins");
        if (node != null && !node.isNull()) {
            List<String> origins = embedOrigins(node);
            jdbc.update("UPDATE tenants SET embed_origins = :origins WHERE id = :id",
                    Map.of("id", tenantId, "origins", json(origins)));
        }
        return settings(tenantId);
    }

    /** The embed origins of the tenant owning a connect-session token (live or not), empty for an unknown token. */
    public List<String> embedOriginsForSession(String token) {
        if (!ConnectSessions.isSessionToken(token)) {
            return List.of();
        }
        return jdbc.query("SELECT t.embed_origins FROM connect_sessions s JOIN tenants t ON t.id = s.tenant_id "
                + "WHERE s.token_hash = :hash", Map.of("hash", ApiKeys.hash(token)), (rs, i) -> origins(rs.getString(1)))
                .stream().findFirst().orElse(List.of());
    }

    private static List<String> embedOrigins(JsonNode node) {
        List<Problem.FieldError> errors = new ArrayList<>();
        List<String> origins = new ArrayList<>();
        if (!node.isArray() || node.size() > MAX_EMBED_ORIGINS) {
            throw ProblemException.badRequest("embedOrigins must be an array of at most " + MAX_EMBED_ORIGINS + " origins.",
                    new Problem.FieldError("/embedOrigins", "must be an array of at most " + MAX_EMBED_ORIGINS + " origins"));
        }
        for (int i = 0; i < node.size(); i++) {
            String origin = node.get(i).isTextual() ? node.get(i).asText().trim().toLowerCase(Locale.ROOT) : "";
            if (!ORIGIN.matcher(origin).matches()) {
                errors.add(new Problem.FieldError("/embedOrigins/" + i,
                        "must be an origin: http(s)://host[:port], no path, query or trailing slash"));
            } else if (!origins.contains(origin)) {
                origins.add(origin);
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(ProblemException.badRequest("embedOrigins holds values that are not origins.")
                    .problem().withErrors(errors));
        }
        return origins;
    }

    private List<String> origins(String json) {
        try {
            return mapper.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt embed_origins column", e);
        }
    }

    private String json(List<String> origins) {
        try {
            return mapper.writeValueAsString(origins);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
