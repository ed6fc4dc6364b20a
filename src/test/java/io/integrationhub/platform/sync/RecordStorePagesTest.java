package io.integrationhub.platform.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.sync.RecordStore.Change;
import io.integrationhub.platform.sync.SyncSource.Mapped;
import io.integrationhub.platform.tenancy.TenantJdbc;
import io.integrationhub.support.PostgresSchemas;

/**
 * The two ways a page is written give the same result: PostgreSQL's one upsert and H2's read-then-batch path (the
 * zero-setup profile). Created, updated (content changed, or a deleted record back), deleted and unchanged records
 * in one page; the changes come back in page order; unchanged and already deleted records are only marked as seen.
 */
class RecordStorePagesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SCHEMA = PostgresSchemas.name("it_rs_");

    @AfterAll
    static void dropSchema() throws Exception {
        PostgresSchemas.drop(SCHEMA);
    }

    private static DataSource database(String kind) throws Exception {
        if (kind.equals("h2")) {
            DataSource ds = new DriverManagerDataSource("jdbc:h2:mem:record-store-" + UUID.randomUUID()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
            Flyway.configure().dataSource(ds).locations("classpath:db/migration", "classpath:db/vendor/h2").load().migrate();
            return ds;
        }
        PostgresSchemas.create(SCHEMA);
        DriverManagerDataSource ds = new DriverManagerDataSource(PostgresSchemas.URL, PostgresSchemas.USER,
                PostgresSchemas.PASSWORD);
        ds.setSchema(SCHEMA);
        PostgresSchemas.migrate(ds, SCHEMA);
        return ds;
    }

    private static Mapped item(String id, String name) {
        ObjectNode data = MAPPER.createObjectNode().put("name", name).put("price", 3);
        return new Mapped(id, data, Instant.parse("2026-01-01T00:00:00Z"), false);
    }

    private static Mapped gone(String id) {
        return new Mapped(id, null, null, true);
    }

    private static List<String> kinds(List<Change> changes) {
        List<String> out = new ArrayList<>();
        changes.forEach(c -> out.add(c.kind() + ":" + c.externalId()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void shouldWriteOnlyRealChangesOfAPageAndMarkTheRestSeen(String kind) throws Exception {
        DataSource ds = database(kind);
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(ds);
        assertThat(new TenantJdbc(jdbc).postgres()).isEqualTo(kind.equals("postgresql"));
        UUID tenant = UUID.randomUUID();
        UUID connection = connectionOf(jdbc, tenant);
        RecordStore store = new RecordStore(new TenantJdbc(jdbc), MAPPER);
        Instant t1 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
        Instant t2 = t1.plusSeconds(10);
        Instant t3 = t1.plusSeconds(20);

        List<Change> first = store.apply(tenant, connection, "item", List.of(item("a", "A"), item("b", "B"), item("c", "C"),
                item("d", "D"), gone("never-seen")), t1);
        assertThat(kinds(first)).containsExactly("created:a", "created:b", "created:c", "created:d");
        assertThat(store.apply(tenant, connection, "item", List.of(gone("d")), t2)).extracting(Change::externalId)
                .containsExactly("d");

        // b changed, d is back, c is deleted, a unchanged, e new, d's id given twice (the last one counts), a deleted
        // record deleted again.
        List<Change> third = store.apply(tenant, connection, "item", List.of(item("a", "A"), item("b", "B2"), gone("c"),
                item("d", "old"), item("e", "E"), item("d", "D"), gone("never-seen")), t3);
        assertThat(kinds(third)).containsExactly("updated:b", "deleted:c", "updated:d", "created:e");
        assertThat(third.get(0).recordId()).isEqualTo(first.get(1).recordId());
        assertThat(third.get(2).recordId()).isEqualTo(first.get(3).recordId());
        assertThat(third.get(2).data().path("name").asText()).isEqualTo("D");
        // the JSON written to the record travels with the change (its event embeds it instead of serialising again)
        assertThat(third.get(2).json()).isEqualTo("{\"name\":\"D\",\"price\":3}");

        Map<String, Object[]> rows = new java.util.HashMap<>();
        jdbc.query("SELECT external_id, updated_at, last_seen_at, deleted, data FROM records WHERE connection_id = :c",
                Map.of("c", connection), rs -> {
                    rows.put(rs.getString(1), new Object[] {rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant(),
                            rs.getBoolean(4), rs.getString(5)});
                });
        assertThat(rows).containsOnlyKeys("a", "b", "c", "d", "e");
        // unchanged: seen now, version (updated_at) and data as they were
        assertThat(rows.get("a")).containsExactly(t1, t3, false, "{\"name\":\"A\",\"price\":3}");
        assertThat(rows.get("b")).containsExactly(t3, t3, false, "{\"name\":\"B2\",\"price\":3}");
        assertThat(rows.get("c")).containsExactly(t3, t3, true, "{\"name\":\"C\",\"price\":3}");
        assertThat(rows.get("d")).containsExactly(t3, t3, false, "{\"name\":\"D\",\"price\":3}");
        assertThat(rows.get("e")).containsExactly(t3, t3, false, "{\"name\":\"E\",\"price\":3}");

        // c deleted again: only seen
        Instant t4 = t1.plusSeconds(30);
        assertThat(store.apply(tenant, connection, "item", List.of(gone("c"), item("a", "A")), t4)).isEmpty();
        Object[] c = jdbc.queryForObject("SELECT updated_at, last_seen_at, deleted FROM records WHERE connection_id = :c "
                + "AND external_id = 'c'", Map.of("c", connection),
                (rs, n) -> new Object[] {rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant(), rs.getBoolean(3)});
        assertThat(c).containsExactly(t3, t4, true);
    }

    /** After a full run, the records it did not see are swept in batches along the unique key; seen ones stay. */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void shouldSweepUnseenRecordsBatchByBatch(String kind) throws Exception {
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(database(kind));
        UUID tenant = UUID.randomUUID();
        UUID connection = connectionOf(jdbc, tenant);
        RecordStore store = new RecordStore(new TenantJdbc(jdbc), MAPPER);
        Instant t1 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
        Instant run = t1.plusSeconds(10);
        store.apply(tenant, connection, "item", List.of(item("a", "A"), item("b", "B"), item("c", "C"), item("d", "D"),
                item("e", "E"), item("f", "F")), t1);
        store.apply(tenant, connection, "item", List.of(item("b", "B"), item("e", "E")), run);

        List<String> swept = new ArrayList<>();
        String after = null;
        while (true) {
            List<Change> gone = store.sweepUnseen(tenant, connection, "item", run, after, 2, run.plusSeconds(1));
            gone.forEach(c -> swept.add(c.kind() + ":" + c.externalId()));
            if (gone.size() < 2) {
                break;
            }
            after = gone.get(gone.size() - 1).externalId();
        }
        assertThat(swept).containsExactly("deleted:a", "deleted:c", "deleted:d", "deleted:f");
        assertThat(jdbc.queryForList("SELECT external_id FROM records WHERE connection_id = :c AND deleted = FALSE "
                + "ORDER BY external_id", Map.of("c", connection), String.class)).containsExactly("b", "e");
        // a second sweep finds nothing
        assertThat(store.sweepUnseen(tenant, connection, "item", run, null, 2, run.plusSeconds(2))).isEmpty();
    }

    /**
     * PostgreSQL (V46, fillfactor 50): a pull that finds a page of records unchanged rewrites each one only to move its
     * {@code last_seen_at}, and that new row version stays on the record's page (a HOT update, no index entry). With
     * packed pages every version moved to a new page and into all of the table's indexes. (A later pull reuses the
     * room of the earlier versions only once no open transaction can still see them, which page pruning waits for:
     * with other sessions' transactions running, as in the full suite, that is not this test's to decide.)
     */
    @org.junit.jupiter.api.Test
    void shouldKeepEachUnchangedRecordOnItsPageWhenAPullMarksItSeen() throws Exception {
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(database("postgresql"));
        UUID tenant = UUID.randomUUID();
        UUID connection = connectionOf(jdbc, tenant);
        RecordStore store = new RecordStore(new TenantJdbc(jdbc), MAPPER);
        List<Mapped> page = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            page.add(item("item-" + i, "Generated item number " + i + " with a description of some length"));
        }
        Instant t1 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
        assertThat(store.apply(tenant, connection, "item", page, t1)).hasSize(1000);
        Map<String, Long> before = blocks(jdbc, connection);
        Instant seen = t1.plusSeconds(10);
        assertThat(store.apply(tenant, connection, "item", page, seen)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM records WHERE connection_id = :c AND last_seen_at = :t",
                Map.of("c", connection, "t", java.sql.Timestamp.from(seen)), Long.class)).isEqualTo(1000L);
        Map<String, Long> after = blocks(jdbc, connection);
        long moved = before.keySet().stream().filter(id -> !before.get(id).equals(after.get(id))).count();
        assertThat(moved).as("records moved to another page by the pull").isZero();
    }

    /** external id → number of the heap page its current row version is on. */
    private static Map<String, Long> blocks(NamedParameterJdbcTemplate jdbc, UUID connection) {
        Map<String, Long> out = new java.util.HashMap<>();
        jdbc.query("SELECT external_id, (ctid::text::point)[0]::bigint FROM records WHERE connection_id = :c",
                Map.of("c", connection), rs -> {
                    out.put(rs.getString(1), rs.getLong(2));
                });
        return out;
    }

    /** A tenant and one Square connection of it, as rows: the records' foreign keys. */
    private static UUID connectionOf(NamedParameterJdbcTemplate jdbc, UUID tenant) {
        UUID connection = UUID.randomUUID();
        jdbc.update("INSERT INTO tenants (id, name, created_at) VALUES (:id, :name, CURRENT_TIMESTAMP)",
                Map.of("id", tenant, "name", "t-" + tenant));
        jdbc.update("INSERT INTO connections (id, tenant_id, provider, name, status, created_at, updated_at) VALUES "
                + "(:id, :tenant, 'square', 'items', 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                Map.of("id", connection, "tenant", tenant));
        return connection;
    }
}
