package io.integrationhub.platform.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.SqlArrayValue;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.config.DatabaseKind;
import io.integrationhub.platform.ids.Uuids;

/**
 * The {@code outbox_events} table. {@link #enqueue} joins the caller's transaction (a plain insert through
 * the Spring-managed connection), so an event exists exactly when the data it describes was committed.
 * {@link #claim} is the relay's side: the oldest rows in {@code seq} order, read by one relay at a time
 * (the batch transaction holds the {@code outbox_relay_lock} row), so a key's events go out in order.
 */
@Component("outbox")
public class Outbox {

    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() { };

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private volatile Parsed lastHeaders;
    private volatile Parsed lastWritten;

    private record Parsed(String json, Map<String, String> headers) {
    }

    public Outbox(NamedParameterJdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /** A claimed row. */
    public record Pending(long seq, UUID eventId, String topic, String key, String payload, Map<String, String> headers,
            Instant createdAt) {
    }

    /** Oldest pending row and row count, for the lag metric and health. */
    public record Stats(long pending, Instant oldest) {
    }

    public void enqueue(OutboxMessage message) {
        enqueueAll(List.of(message));
    }

    /**
     * Inserts the messages in order; their {@code seq} follows the list order. On PostgreSQL several messages are one
     * {@code INSERT … SELECT FROM unnest(…) WITH ORDINALITY} (a sync page's events: one statement, not one per row);
     * on H2 one JDBC batch.
     */
    public void enqueueAll(List<OutboxMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(Instant.now());
        if (messages.size() > 1 && DatabaseKind.postgres(jdbc.getJdbcTemplate().getDataSource())) {
            int n = messages.size();
            // typed arrays: sent in binary, not as escaped array text (see RecordStore.applyInSql)
            UUID[] ids = new UUID[n];
            String[] topics = new String[n];
            String[] keys = new String[n];
            String[] payloads = new String[n];
            String[] headers = new String[n];
            for (int i = 0; i < n; i++) {
                OutboxMessage m = messages.get(i);
                ids[i] = m.eventId();
                topics[i] = m.topic();
                keys[i] = m.key();
                payloads[i] = m.payload();
                headers[i] = json(m.headers());
            }
            jdbc.update("INSERT INTO outbox_events (event_id, topic, message_key, payload, headers, created_at) "
                    + "SELECT e.event_id, e.topic, e.message_key, e.payload, e.headers, :now "
                    + "FROM unnest(CAST(:ids AS uuid[]), CAST(:topics AS varchar[]), CAST(:keys AS varchar[]), "
                    + "CAST(:payloads AS varchar[]), CAST(:headers AS varchar[])) WITH ORDINALITY "
                    + "AS e (event_id, topic, message_key, payload, headers, n) ORDER BY e.n",
                    new MapSqlParameterSource("now", now)
                            .addValue("ids", new SqlArrayValue("uuid", (Object[]) ids))
                            .addValue("topics", new SqlArrayValue("varchar", (Object[]) topics))
                            .addValue("keys", new SqlArrayValue("varchar", (Object[]) keys))
                            .addValue("payloads", new SqlArrayValue("varchar", (Object[]) payloads))
                            .addValue("headers", new SqlArrayValue("varchar", (Object[]) headers)));
            return;
        }
        MapSqlParameterSource[] rows = new MapSqlParameterSource[messages.size()];
        for (int i = 0; i < rows.length; i++) {
            OutboxMessage m = messages.get(i);
            rows[i] = new MapSqlParameterSource()
                    .addValue("eventId", m.eventId())
                    .addValue("topic", m.topic())
                    .addValue("key", m.key())
                    .addValue("payload", m.payload())
                    .addValue("headers", json(m.headers()))
                    .addValue("now", now);
        }
        String sql = "INSERT INTO outbox_events (event_id, topic, message_key, payload, headers, created_at) "
                + "VALUES (:eventId, :topic, :key, :payload, :headers, :now)";
        if (rows.length == 1) {
            jdbc.update(sql, rows[0]);
        } else {
            jdbc.batchUpdate(sql, rows);
        }
    }

    /**
     * Route step: the exchange's body (a String) goes to {@code topic}, keyed by the {@code kafka.KEY} header
     * (a random id as CloudEvent id: such bodies are commands whose consumers are idempotent by their own key).
     */
    public void enqueueBody(Exchange exchange, String topic) {
        String key = exchange.getMessage().getHeader(KafkaConstants.KEY, String.class);
        enqueue(new OutboxMessage(Uuids.timeOrdered(), topic, key == null ? topic : key,
                exchange.getMessage().getBody(String.class), Map.of()));
    }

    /**
     * The next {@code limit} rows in {@code seq} order, or none when another relay (another instance) is relaying
     * right now. Must run inside the relay's transaction: it first locks the single row of
     * {@code outbox_relay_lock} ({@code FOR UPDATE SKIP LOCKED}), which the transaction holds until it commits or
     * rolls back, so exactly one relay reads and deletes outbox rows at a time and a key's events leave in
     * {@code seq} order without row locks or a per-key check (measured: the per-key check of concurrent relays cost
     * more database time than the outbox inserts themselves, docs/performance.md). Only rows after {@code after}
     * are read (0: from the start): the relay's hint past the rows it deleted, whose dead index entries a scan from
     * the start would walk through again until vacuum removes them.
     */
    public List<Pending> claim(int limit, long after) {
        return claim(limit, after, List.of());
    }

    /**
     * {@link #claim(int, long)}, and first the rows of {@code holes}: seqs the relay passed over because their
     * transactions had not committed when it read past them (or rolled back, and never will). Those are point
     * lookups by primary key, so a late commit is found without walking the rows already relayed. Late rows come first
     * (their seq is lower), then the batch after {@code after}.
     */
    public List<Pending> claim(int limit, long after, Collection<Long> holes) {
        List<Integer> lock = jdbc.queryForList("SELECT id FROM outbox_relay_lock WHERE id = 1 FOR UPDATE SKIP LOCKED",
                Map.of(), Integer.class);
        if (lock.isEmpty()) {
            return List.of();
        }
        boolean postgres = DatabaseKind.postgres(jdbc.getJdbcTemplate().getDataSource());
        if (postgres) {
            // The read walks the primary key from :after and stops after the batch, whatever the statistics say.
            // A queue table's statistics are always wrong: the driver turns a repeated statement into a
            // server-prepared one, and PostgreSQL kept the plan made while the outbox was (nearly) empty, a
            // sequential scan and sort, which later read every dead row a burst left behind before vacuum (25-40 ms
            // and 7,000-13,000 buffers a read during a sync of 100,000 records, docs/performance.md); planned afresh,
            // a histogram of an earlier burst still chose the scan. Only this transaction's plans are affected.
            jdbc.getJdbcTemplate().execute("SET LOCAL enable_seqscan = off");
        }
        List<Pending> rows = new ArrayList<>();
        if (!holes.isEmpty()) {
            rows.addAll(jdbc.query("SELECT " + PENDING_COLUMNS + " FROM outbox_events WHERE seq "
                    + (postgres ? "= ANY (CAST(:holes AS bigint[]))" : "IN (:holes)") + " ORDER BY seq",
                    Map.of("holes", postgres ? new SqlArrayValue("bigint", holes.toArray()) : holes), this::pending));
        }
        rows.addAll(jdbc.query("SELECT " + PENDING_COLUMNS + " FROM outbox_events WHERE seq > :after ORDER BY seq LIMIT "
                + Math.max(1, limit), Map.of("after", after), this::pending));
        return rows;
    }

    private static final String PENDING_COLUMNS = "seq, event_id, topic, message_key, payload, headers, created_at";

    private Pending pending(ResultSet rs, int i) throws SQLException {
        return new Pending(rs.getLong("seq"), rs.getObject("event_id", UUID.class), rs.getString("topic"),
                rs.getString("message_key"), rs.getString("payload"), headers(rs.getString("headers")),
                rs.getTimestamp("created_at").toInstant());
    }

    /** Removes relayed rows (the broker acknowledged them). */
    public int delete(List<Long> seqs) {
        int n = 0;
        for (int from = 0; from < seqs.size(); from += 500) {
            n += jdbc.update("DELETE FROM outbox_events WHERE seq IN (:seqs)",
                    Map.of("seqs", seqs.subList(from, Math.min(seqs.size(), from + 500))));
        }
        return n;
    }

    public Stats stats() {
        return jdbc.queryForObject("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_events", Map.of(), (rs, i) -> {
            Timestamp oldest = rs.getTimestamp("oldest");
            return new Stats(rs.getLong("n"), oldest == null ? null : oldest.toInstant());
        });
    }

    private String json(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return "{}";
        }
        Parsed last = lastWritten;
        if (last != null && last.headers().equals(headers)) {
            return last.json();
        }
        try {
            String json = mapper.writeValueAsString(headers);
            lastWritten = new Parsed(json, new HashMap<>(headers));
            return json;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> headers(String json) {
        if (json == null || json.equals("{}")) {
            return Map.of();
        }
        // nearly every row has the same headers (the CloudEvents content type): parsed once, not per row
        Parsed last = lastHeaders;
        if (last != null && last.json().equals(json)) {
            return last.headers();
        }
        try {
            Map<String, String> parsed = java.util.Collections.unmodifiableMap(mapper.readValue(json, HEADERS));
            lastHeaders = new Parsed(json, parsed);
            return parsed;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("outbox headers are not JSON", e);
        }
    }
}
