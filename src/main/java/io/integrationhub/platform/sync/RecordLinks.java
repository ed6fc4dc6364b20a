package io.integrationhub.platform.sync;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The {@code localRef ↔ externalId} links of pushed objects as push runs read them: page by page in
 * {@code local_ref} order, with the data last pushed so it can be sent again. Actions write the links
 * ({@link ActionService}).
 */
@Repository
public class RecordLinks {

    private final TenantJdbc jdbc;
    private final ObjectMapper mapper;

    public RecordLinks(TenantJdbc jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /** One link; {@code data} is null for links written before the hub kept the pushed data. */
    public record Link(String localRef, String externalId, String version, String hash, JsonNode data) {
    }

    public long count(UUID tenantId, UUID connectionId, String model) {
        return jdbc.queryOne(tenantId, "SELECT COUNT(*) FROM record_links WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND model = :model", Map.of("connectionId", connectionId, "model", model),
                (rs, n) -> rs.getLong(1)).orElse(0L);
    }

    /** Up to {@code limit} links after {@code afterLocalRef} (null: from the first). */
    public List<Link> page(UUID tenantId, UUID connectionId, String model, String afterLocalRef, int limit) {
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("model", model);
        p.put("after", afterLocalRef == null ? "" : afterLocalRef);
        p.put("limit", limit);
        return jdbc.query(tenantId, "SELECT local_ref, external_id, version, last_pushed_hash, last_pushed_data "
                + "FROM record_links WHERE tenant_id = :tenantId AND connection_id = :connectionId AND model = :model "
                + "AND local_ref > :after ORDER BY local_ref LIMIT :limit", p,
                (rs, n) -> new Link(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), read(rs.getString(5))));
    }

    /**
     * Records what a push run sent again: the provider object may be a new one (the old one was gone). Only
     * while the link still holds the data the run re-pushed, so a concurrent action's newer push is kept.
     */
    public boolean repushed(UUID tenantId, UUID connectionId, String model, Link link, PushTarget.Result result) {
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("model", model);
        p.put("localRef", link.localRef());
        p.put("hash", link.hash());
        p.put("externalId", result.externalId());
        p.put("version", result.version());
        p.put("now", Timestamp.from(Instant.now()));
        return jdbc.update(tenantId, "UPDATE record_links SET external_id = :externalId, version = :version, updated_at = :now "
                + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND model = :model AND local_ref = :localRef "
                + "AND last_pushed_hash IS NOT DISTINCT FROM :hash", p) == 1;
    }

    /** Which of these provider ids a link of the model points to. */
    public Set<String> linkedAmong(UUID tenantId, UUID connectionId, String model, Collection<String> externalIds) {
        Set<String> linked = new HashSet<>();
        if (externalIds.isEmpty()) {
            return linked;
        }
        jdbc.query(tenantId, "SELECT external_id FROM record_links WHERE tenant_id = :tenantId AND connection_id = "
                + ":connectionId AND model = :model AND external_id IN (:ids)",
                Map.of("connectionId", connectionId, "model", model, "ids", externalIds), (rs, n) -> linked.add(rs.getString(1)));
        return linked;
    }

    private JsonNode read(String json) {
        try {
            return json == null ? null : mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt last_pushed_data in record_links", e);
        }
    }
}
