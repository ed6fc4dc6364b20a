package io.integrationhub.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.support.PostgresSchemas;

/**
 * PostgreSQL: the relay's read of the next batch walks the outbox's primary key from where it left off, also on a
 * connection that prepared the read while the outbox was empty and after a burst left thousands of dead rows that
 * vacuum has not removed yet. (The driver makes a repeated statement server-prepared; PostgreSQL then kept the
 * plan made for the empty table, a sequential scan and sort, and each read went through every dead row: 25-40 ms
 * a batch during a sync of 100,000 records.) One connection, so the statement the relay prepared is the one
 * measured; the scans are the connection's counters ({@code pg_stat_xact_user_tables}) before and after the read.
 */
class OutboxReadPlanTest {

    private static final String SCHEMA = PostgresSchemas.name("it_ob_");

    @AfterAll
    static void dropSchema() throws Exception {
        PostgresSchemas.drop(SCHEMA);
    }

    @Test
    void shouldReadTheNextBatchAlongTheKeyAfterABurstLeftDeadRows() throws Exception {
        SingleConnectionDataSource ds = PostgresSchemas.migrated(SCHEMA);
        try {
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

            long[] scans = tx.execute(status -> {
                long[] before = scans(jdbc);
                List<Outbox.Pending> batch = outbox.claim(500, 0);
                assertThat(batch).hasSize(10);
                assertThat(batch).extracting(Outbox.Pending::seq).isSorted();
                long[] after = scans(jdbc);
                return new long[] {after[0] - before[0], after[1] - before[1]};
            });
            assertThat(scans[0]).as("sequential scans of the outbox by the read").isZero();
            assertThat(scans[1]).as("index scans of the outbox by the read").isPositive();
        } finally {
            ds.destroy();
        }
    }

    /**
     * Sequential and index scans of the outbox counted by this connection and not yet reported: PostgreSQL reports a
     * backend's counters only between transactions, so two readings in one transaction differ by its own scans.
     */
    private static long[] scans(NamedParameterJdbcTemplate jdbc) {
        Map<String, Object> row = jdbc.getJdbcTemplate().queryForMap("SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables "
                + "WHERE relid = 'outbox_events'::regclass");
        return new long[] {((Number) row.get("seq_scan")).longValue(), ((Number) row.get("idx_scan")).longValue()};
    }
}
