package io.integrationhub.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * PostgreSQL: the relay's read of the next batch walks the outbox's primary key from where it left off, also on a
 * connection that prepared the read while the outbox was empty and after a burst left thousands of dead rows that
 * vacuum has not removed yet. (The driver makes a repeated statement server-prepared; PostgreSQL then kept the
 * plan made for the empty table, a sequential scan and sort, and each read went through every dead row: 25-40 ms
 * a batch during a sync of 100,000 records.) One connection, so the statement the relay prepared is the one
 * measured; the scans are this transaction's own counters ({@code pg_stat_xact_user_tables}).
 */
class OutboxReadPlanTest {

    private static final String PG_URL = System.getenv().getOrDefault("HUB_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String PG_USER = System.getenv().getOrDefault("HUB_TEST_DB_USER", "postgres");
    private static final String PG_PASSWORD = System.getenv().getOrDefault("HUB_TEST_DB_PASSWORD", "");
    private static final String SCHEMA = "it_ob_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @AfterAll
    static void dropSchema() throws Exception {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    @Test
    void shouldReadTheNextBatchAlongTheKeyAfterABurstLeftDeadRows() throws Exception {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + SCHEMA);
        }
        SingleConnectionDataSource ds = new SingleConnectionDataSource(
                PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA, PG_USER, PG_PASSWORD, true);
        try {
            Flyway.configure().dataSource(ds).schemas(SCHEMA).defaultSchema(SCHEMA)
                    .locations("classpath:db/migration", "classpath:db/vendor/postgresql").load().migrate();
            NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(ds);
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
            Outbox outbox = new Outbox(jdbc, new ObjectMapper());

            // an idle relay: the read runs often against an empty outbox
            for (int i = 0; i < 12; i++) {
                List<Outbox.Pending> none = tx.execute(status -> outbox.claim(500, 0));
                assertThat(none).isEmpty();
            }
            // a burst of 20,000 events, relayed and deleted (dead rows until vacuum), then 10 new ones
            tx.executeWithoutResult(status -> {
                jdbc.getJdbcTemplate().update("INSERT INTO outbox_events (event_id, topic, message_key, payload, created_at) "
                        + "SELECT gen_random_uuid(), 'hub.records', 'k' || (g % 50), repeat('x', 600), now() "
                        + "FROM generate_series(1, 20010) g");
                jdbc.getJdbcTemplate().update("DELETE FROM outbox_events WHERE seq <= (SELECT MIN(seq) + 19999 FROM outbox_events)");
            });

            Map<String, Object> scans = tx.execute(status -> {
                List<Outbox.Pending> batch = outbox.claim(500, 0);
                assertThat(batch).hasSize(10);
                assertThat(batch).extracting(Outbox.Pending::seq).isSorted();
                return jdbc.getJdbcTemplate().queryForMap("SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables "
                        + "WHERE relid = 'outbox_events'::regclass");
            });
            assertThat(((Number) scans.get("seq_scan")).longValue()).as("sequential scans of the outbox").isZero();
            assertThat(((Number) scans.get("idx_scan")).longValue()).as("index scans of the outbox").isPositive();
        } finally {
            ds.destroy();
        }
    }
}
