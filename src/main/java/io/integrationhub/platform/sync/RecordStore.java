package io.integrationhub.platform.sync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.config.PgTextArray;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.sync.SyncSource.Mapped;
import io.integrationhub.platform.tenancy.TenantJdbc;
import io.integrationhub.platform.ids.Uuids;

/**
 * Unified records keyed by (connection, model, externalId). A page is written with a handful of set-based
 * statements (one upsert on PostgreSQL); a record whose content hash did not change is only marked as seen.
 */
@Component
public class RecordStore {

    private final TenantJdbc jdbc;
    private final ObjectMapper mapper;
    private final ObjectWriter canonical;

    public RecordStore(TenantJdbc jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.canonical = mapper.writer().with(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
    }

    public enum ChangeKind { created, updated, deleted }

    /**
     * A real change of a record. {@code json} is {@code data} as written to the record (null when not at hand): the
     * change event embeds it as it is instead of serialising the same tree a second time.
     */
    public record Change(ChangeKind kind, UUID recordId, String model, String externalId, JsonNode data, String json) {

        public Change(ChangeKind kind, UUID recordId, String model, String externalId, JsonNode data) {
            this(kind, recordId, model, externalId, data, null);
        }
    }

    public record Record(UUID id, String model, String externalId, JsonNode data, Instant remoteUpdatedAt,
            boolean deleted, Instant lastSeenAt, Instant updatedAt) {
    }

    public record RecordPage(List<Record> records, String nextCursor) {
    }

    private record Existing(UUID id, String hash, boolean deleted) {
    }

    /**
     * Whether a page may be written beside another page's open transaction: PostgreSQL's upsert decides each record by
     * the unique key (a record the other page wrote waits for that page's commit); H2's read-then-write page would not
     * see the other page's uncommitted records and insert them twice.
     */
    public boolean overlapsPages() {
        return jdbc.postgres();
    }

    /**
     * Writes one page of mapped records; returns the real changes (created, updated, deleted) in page order.
     * A record whose content hash did not change is only marked as seen: no new data, no {@code updated_at}
     * change, no change returned (so no event). On PostgreSQL the page is one upsert that detects unchanged
     * records itself; on H2 (the zero-setup profile) a portable read-then-batch path.
     */
    public List<Change> apply(UUID tenantId, UUID connectionId, String model, List<Mapped> page, Instant now) {
        return apply(tenantId, connectionId, model, page, Map.of(), now);
    }

    /**
     * {@link #apply(UUID, UUID, String, List, Instant)} with the records' canonical forms computed beforehand
     * ({@link #canonicalize}, keyed by the record's data tree; a record missing there is serialised here).
     */
    public List<Change> apply(UUID tenantId, UUID connectionId, String model, List<Mapped> page,
            Map<ObjectNode, Canonical> prepared, Instant now) {
        Map<String, Mapped> byId = new LinkedHashMap<>();
        for (Mapped m : page) {
            byId.put(m.externalId(), m);
        }
        if (byId.isEmpty()) {
            return List.of();
        }
        Timestamp ts = Timestamp.from(now);
        return jdbc.postgres() ? applyInSql(tenantId, connectionId, model, byId, prepared, ts)
                : applyRowWise(tenantId, connectionId, model, byId, prepared, ts);
    }

    /**
     * PostgreSQL: the page in one {@code INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE}, whose update
     * writes the record's content only where the stored hash differs (or the record was deleted) and otherwise marks
     * it as seen. The statement decides each record by the unique key alone, so no plan can turn it into a scan
     * (a separate "seen" {@code UPDATE … = ANY(ids)} did, with the statistics of a table growing during the run).
     * {@code RETURNING} tells created (the row kept the id proposed here), updated ({@code updated_at} is this
     * page's time, which an unchanged record never gets) and unchanged apart. Deletions: one more {@code UPDATE}.
     * The records' JSON goes as a binary {@code varchar[]} of the bytes it was serialised to ({@link PgTextArray}), the
     * other text columns as typed {@code String[]}, which the driver also sends in binary: not as escaped array text
     * (the JSON is full of quotes), which halved their cost on both sides.
     */
    private List<Change> applyInSql(UUID tenantId, UUID connectionId, String model, Map<String, Mapped> byId,
            Map<ObjectNode, Canonical> prepared, Timestamp now) {
        int n = byId.size();
        List<String> upserts = new ArrayList<>(n);
        List<UUID> proposed = new ArrayList<>(n);
        List<byte[]> data = new ArrayList<>(n);
        List<String> hashes = new ArrayList<>(n);
        List<String> remote = new ArrayList<>(n);
        List<String> gone = new ArrayList<>();
        for (Mapped m : byId.values()) {
            if (m.deleted()) {
                gone.add(m.externalId());
                continue;
            }
            upserts.add(m.externalId());
            proposed.add(Uuids.timeOrdered());
            Canonical c = canonical(m.data(), prepared);
            data.add(c.utf8());
            hashes.add(c.hash());
            remote.add(m.remoteUpdatedAt() == null ? null : m.remoteUpdatedAt().toString());
        }
        Map<String, UUID> written = new HashMap<>();
        if (!upserts.isEmpty()) {
            Map<String, Object> p = scope(connectionId, model, now);
            p.put("ids", new SqlArrayValue("uuid", (Object[]) proposed.toArray(new UUID[0])));
            p.put("externalIds", new SqlArrayValue("varchar", (Object[]) upserts.toArray(new String[0])));
            // the canonical JSON as the UTF-8 bytes it was serialised to, in binary (PgTextArray)
            p.put("data", new PgTextArray(data.toArray(new byte[0][])));
            p.put("hashes", new SqlArrayValue("varchar", (Object[]) hashes.toArray(new String[0])));
            p.put("remote", new SqlArrayValue("varchar", (Object[]) remote.toArray(new String[0])));
            String same = "(r.content_hash = EXCLUDED.content_hash AND NOT r.deleted)";
            jdbc.query(tenantId, "INSERT INTO records AS r (id, tenant_id, connection_id, model, external_id, data, "
                    + "content_hash, remote_updated_at, deleted, last_seen_at, created_at, updated_at) "
                    + "SELECT i.id, :tenantId, :connectionId, :model, i.external_id, i.data, i.content_hash, "
                    + "CAST(i.remote_updated_at AS TIMESTAMP WITH TIME ZONE), FALSE, :now, :now, :now "
                    + "FROM unnest(CAST(:ids AS uuid[]), CAST(:externalIds AS varchar[]), CAST(:data AS varchar[]), "
                    + "CAST(:hashes AS varchar[]), CAST(:remote AS varchar[])) "
                    + "AS i (id, external_id, data, content_hash, remote_updated_at) "
                    + "ON CONFLICT (connection_id, model, external_id) DO UPDATE SET "
                    + "data = CASE WHEN " + same + " THEN r.data ELSE EXCLUDED.data END, "
                    + "content_hash = EXCLUDED.content_hash, "
                    + "remote_updated_at = CASE WHEN " + same + " THEN r.remote_updated_at ELSE EXCLUDED.remote_updated_at END, "
                    + "deleted = FALSE, last_seen_at = EXCLUDED.last_seen_at, "
                    + "updated_at = CASE WHEN " + same + " THEN r.updated_at ELSE EXCLUDED.updated_at END "
                    + "WHERE r.tenant_id = EXCLUDED.tenant_id "
                    + "RETURNING r.external_id, r.id, r.updated_at = :now", p, (rs, i) -> {
                        if (rs.getBoolean(3)) {
                            written.put(rs.getString(1), rs.getObject(2, UUID.class));
                        }
                        return null;
                    });
        }
        Map<String, UUID> deleted = new HashMap<>();
        if (!gone.isEmpty()) {
            // Also "seen" for records deleted before; deletion markers are few, an index plan does not matter here.
            Map<String, Object> p = scope(connectionId, model, now);
            p.put("externalIds", new SqlArrayValue("varchar", (Object[]) gone.toArray(new String[0])));
            jdbc.query(tenantId, "UPDATE records SET deleted = TRUE, last_seen_at = :now, "
                    + "updated_at = CASE WHEN deleted THEN updated_at ELSE :now END "
                    + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND model = :model "
                    + "AND external_id = ANY (CAST(:externalIds AS varchar[])) RETURNING external_id, id, updated_at = :now",
                    p, (rs, i) -> {
                        if (rs.getBoolean(3)) {
                            deleted.put(rs.getString(1), rs.getObject(2, UUID.class));
                        }
                        return null;
                    });
        }
        List<Change> changes = new ArrayList<>(written.size() + deleted.size());
        int next = 0;
        for (Mapped m : byId.values()) {
            String externalId = m.externalId();
            UUID id = m.deleted() ? deleted.get(externalId) : written.get(externalId);
            int at = m.deleted() ? -1 : next++;
            UUID mine = at < 0 ? null : proposed.get(at);
            if (id != null) {
                changes.add(m.deleted() ? new Change(ChangeKind.deleted, id, model, externalId, null)
                        : new Change(id.equals(mine) ? ChangeKind.created : ChangeKind.updated, id, model, externalId,
                                m.data(), new String(data.get(at), StandardCharsets.UTF_8)));
            }
        }
        return changes;
    }

    private static Map<String, Object> scope(UUID connectionId, String model, Timestamp now) {
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("model", model);
        p.put("now", now);
        return p;
    }

    /**
     * H2 (and any database without {@code ON CONFLICT … RETURNING}): the page's stored hashes read in one join, then
     * batched inserts, updates and deletions, and one "seen" update by primary key.
     */
    private List<Change> applyRowWise(UUID tenantId, UUID connectionId, String model, Map<String, Mapped> byId,
            Map<ObjectNode, Canonical> prepared, Timestamp ts) {
        Map<String, Existing> existing = new HashMap<>();
        // Joined from an array: H2 uses the whole unique key for a join, but for "external_id IN (…)" only its
        // (connection_id, model) prefix, filtering every record of the connection (quadratic over a run).
        jdbc.query(tenantId, "SELECT r.id, r.external_id, r.content_hash, r.deleted "
                + "FROM UNNEST(CAST(:ids AS VARCHAR ARRAY)) AS p (external_id) JOIN records r "
                + "ON r.tenant_id = :tenantId AND r.connection_id = :connectionId AND r.model = :model "
                + "AND r.external_id = p.external_id",
                Map.of("connectionId", connectionId, "model", model,
                        "ids", new SqlArrayValue("varchar", (Object[]) byId.keySet().toArray(new String[0]))), (rs, n) -> {
                    existing.put(rs.getString("external_id"), new Existing(rs.getObject("id", UUID.class),
                            rs.getString("content_hash"), rs.getBoolean("deleted")));
                    return null;
                });
        List<Map<String, Object>> inserts = new ArrayList<>();
        List<Map<String, Object>> updates = new ArrayList<>();
        List<Map<String, Object>> deletes = new ArrayList<>();
        List<UUID> seen = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        for (Mapped m : byId.values()) {
            Existing old = existing.get(m.externalId());
            if (m.deleted()) {
                if (old != null && !old.deleted()) {
                    deletes.add(Map.of("id", old.id(), "now", ts));
                    changes.add(new Change(ChangeKind.deleted, old.id(), model, m.externalId(), null));
                } else if (old != null) {
                    seen.add(old.id());
                }
                continue;
            }
            Canonical c = canonical(m.data(), prepared);
            String hash = c.hash();
            if (old == null) {
                UUID id = Uuids.timeOrdered();
                Map<String, Object> p = row(m, c, ts);
                p.put("id", id);
                p.put("connectionId", connectionId);
                p.put("model", model);
                p.put("externalId", m.externalId());
                inserts.add(p);
                changes.add(new Change(ChangeKind.created, id, model, m.externalId(), m.data(), (String) p.get("data")));
            } else if (!old.hash().equals(hash) || old.deleted()) {
                Map<String, Object> p = row(m, c, ts);
                p.put("id", old.id());
                updates.add(p);
                changes.add(new Change(ChangeKind.updated, old.id(), model, m.externalId(), m.data(), (String) p.get("data")));
            } else {
                seen.add(old.id());
            }
        }
        if (!inserts.isEmpty()) {
            jdbc.batchUpdate(tenantId, "INSERT INTO records (id, tenant_id, connection_id, model, external_id, data, "
                    + "content_hash, remote_updated_at, deleted, last_seen_at, created_at, updated_at) VALUES (:id, :tenantId, "
                    + ":connectionId, :model, :externalId, :data, :hash, :remoteUpdatedAt, FALSE, :now, :now, :now)", inserts);
        }
        if (!updates.isEmpty()) {
            jdbc.batchUpdate(tenantId, "UPDATE records SET data = :data, content_hash = :hash, "
                    + "remote_updated_at = :remoteUpdatedAt, deleted = FALSE, last_seen_at = :now, updated_at = :now "
                    + "WHERE tenant_id = :tenantId AND id = :id", updates);
        }
        if (!deletes.isEmpty()) {
            jdbc.batchUpdate(tenantId, "UPDATE records SET deleted = TRUE, last_seen_at = :now, updated_at = :now "
                    + "WHERE tenant_id = :tenantId AND id = :id", deletes);
        }
        if (!seen.isEmpty()) {
            // Only "seen" (for deletion detection of full runs): the data and updated_at stay as they were.
            jdbc.update(tenantId, "UPDATE records SET last_seen_at = :now WHERE tenant_id = :tenantId AND id IN (:ids)",
                    Map.of("now", ts, "ids", seen));
        }
        return changes;
    }

    /**
     * Marks up to {@code limit} records not seen since {@code seenBefore} as deleted (after a complete
     * full run) and returns them, in {@code external_id} order after {@code after} (null: from the first); call again
     * with the last one's external id until it returns fewer than the limit. The records are walked along the unique
     * key {@code (connection_id, model, external_id)}: a sweep reads the connection's records once in all, without an
     * index on {@code last_seen_at} (which every pull would otherwise have to maintain, V44).
     */
    public List<Change> sweepUnseen(UUID tenantId, UUID connectionId, String model, Instant seenBefore, String after,
            int limit, Instant now) {
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("model", model);
        p.put("before", Timestamp.from(seenBefore));
        p.put("limit", limit);
        if (after != null) {
            p.put("after", after);
        }
        List<Change> gone = jdbc.query(tenantId, "SELECT id, external_id FROM records WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND model = :model" + (after == null ? "" : " AND external_id > :after")
                + " AND deleted = FALSE AND last_seen_at < :before ORDER BY external_id LIMIT :limit", p,
                (rs, n) -> new Change(ChangeKind.deleted, rs.getObject(1, UUID.class), model, rs.getString(2), null));
        if (!gone.isEmpty()) {
            jdbc.update(tenantId, "UPDATE records SET deleted = TRUE, updated_at = :now WHERE tenant_id = :tenantId "
                    + "AND id IN (:ids)", Map.of("now", Timestamp.from(now), "ids", gone.stream().map(Change::recordId).toList()));
        }
        return gone;
    }

    /** Records in the order they last changed in the hub, with an opaque keyset cursor. */
    public RecordPage list(UUID tenantId, UUID connectionId, String model, Instant modifiedAfter, String cursor, int limit) {
        return list(tenantId, connectionId, model, modifiedAfter, cursor, limit, null);
    }

    /** As {@link #list(UUID, UUID, String, Instant, String, int)}, narrowed by a {@link RecordSearch} filter. */
    public RecordPage list(UUID tenantId, UUID connectionId, String model, Instant modifiedAfter, String cursor, int limit,
            RecordSearch.Filter filter) {
        StringBuilder sql = new StringBuilder("SELECT id, model, external_id, data, remote_updated_at, deleted, "
                + "last_seen_at, updated_at FROM records WHERE tenant_id = :tenantId AND connection_id = :connectionId "
                + "AND model = :model");
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("model", model);
        p.put("limit", limit + 1);
        if (modifiedAfter != null) {
            sql.append(" AND updated_at > :modifiedAfter");
            p.put("modifiedAfter", Timestamp.from(modifiedAfter));
        }
        if (cursor != null) {
            String[] parts = decodeCursor(cursor);
            sql.append(" AND (updated_at, id) > (:afterTs, :afterId)");
            p.put("afterTs", Timestamp.from(Instant.parse(parts[0])));
            p.put("afterId", UUID.fromString(parts[1]));
        }
        if (filter != null) {
            sql.append(" AND (").append(filter.sql()).append(')');
            p.putAll(filter.params());
        }
        sql.append(" ORDER BY updated_at, id LIMIT :limit");
        List<Record> rows = jdbc.query(tenantId, sql.toString(), p, this::map);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Record last = rows.get(limit - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (last.updatedAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
        }
        return new RecordPage(rows, next);
    }

    private static String[] decodeCursor(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            Instant.parse(parts[0]);
            UUID.fromString(parts[1]);
            return parts;
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("'cursor' is not a cursor this API returned",
                    new FieldError("cursor", "unknown cursor"));
        }
    }

    public long count(UUID tenantId, UUID connectionId, String model, boolean includeDeleted) {
        return jdbc.queryOne(tenantId, "SELECT COUNT(*) FROM records WHERE tenant_id = :tenantId AND connection_id = "
                + ":connectionId AND model = :model" + (includeDeleted ? "" : " AND deleted = FALSE"),
                Map.of("connectionId", connectionId, "model", model), (rs, n) -> rs.getLong(1)).orElse(0L);
    }

    private Map<String, Object> row(Mapped m, Canonical c, Timestamp now) {
        Map<String, Object> p = new HashMap<>();
        p.put("data", c.json());
        p.put("hash", c.hash());
        p.put("remoteUpdatedAt", m.remoteUpdatedAt() == null ? null : Timestamp.from(m.remoteUpdatedAt()));
        p.put("now", now);
        return p;
    }

    /** SHA-256 of the data with properties sorted, so field order at the provider does not count as a change. */
    public String hash(ObjectNode data) {
        return sha256Hex(canonicalBytes(data));
    }

    /** A record's stored form: its JSON with properties sorted, as UTF-8, and the SHA-256 of those bytes. */
    public record Canonical(byte[] utf8, String hash) {
        public String json() {
            return new String(utf8, StandardCharsets.UTF_8);
        }
    }

    /**
     * The canonical form of each record of a page (deletions have none), keyed by the record's data tree. A sync run
     * computes it while the page is mapped, on the run's own thread, so the page's transaction — written behind on
     * another thread — has only the database work left.
     */
    public Map<ObjectNode, Canonical> canonicalize(List<Mapped> page) {
        Map<ObjectNode, Canonical> prepared = new IdentityHashMap<>(page.size() * 2);
        for (Mapped m : page) {
            if (!m.deleted() && m.data() != null) {
                prepared.put(m.data(), canonical(m.data()));
            }
        }
        return prepared;
    }

    private Canonical canonical(ObjectNode data, Map<ObjectNode, Canonical> prepared) {
        Canonical c = prepared.get(data);
        return c != null ? c : canonical(data);
    }

    /** One serialisation for both the stored text and the hash (they were two, a third of a page commit's CPU). */
    private Canonical canonical(ObjectNode data) {
        byte[] bytes = canonicalBytes(data);
        return new Canonical(bytes, sha256Hex(bytes));
    }

    private byte[] canonicalBytes(ObjectNode data) {
        try {
            return canonical.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Record map(ResultSet rs, int n) throws SQLException {
        try {
            Timestamp remote = rs.getTimestamp("remote_updated_at");
            return new Record(rs.getObject("id", UUID.class), rs.getString("model"), rs.getString("external_id"),
                    mapper.readTree(rs.getString("data")), remote == null ? null : remote.toInstant(),
                    rs.getBoolean("deleted"), rs.getTimestamp("last_seen_at").toInstant(),
                    rs.getTimestamp("updated_at").toInstant());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt data column in records", e);
        }
    }
}
