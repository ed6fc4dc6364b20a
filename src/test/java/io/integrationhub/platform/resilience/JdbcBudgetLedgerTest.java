package io.integrationhub.platform.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import io.integrationhub.platform.resilience.BudgetLedger.Key;
import io.integrationhub.platform.resilience.BudgetLedger.Verdict;
import io.integrationhub.support.PostgresSchemas;

/**
 * The cluster's request budgets on both databases the hub runs on: a key grants once per interval on the database's
 * clock, a refusal says how long to wait, a request with several keys takes all or none, and a take made inside a
 * caller's transaction does not wait for that transaction (its row lock is its own).
 */
class JdbcBudgetLedgerTest {

    private static final String SCHEMA = PostgresSchemas.name("it_budget_");
    private static final long HOUR_MICROS = 3_600_000_000L;

    static DataSource postgres;
    static DataSource h2;

    @BeforeAll
    static void databases() throws Exception {
        PostgresSchemas.create(SCHEMA);
        postgres = new DriverManagerDataSource(PostgresSchemas.URL + (PostgresSchemas.URL.contains("?") ? "&" : "?")
                + "currentSchema=" + SCHEMA, PostgresSchemas.USER, PostgresSchemas.PASSWORD);
        PostgresSchemas.migrate(postgres, SCHEMA);
        h2 = new DriverManagerDataSource("jdbc:h2:mem:budget" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "");
        Flyway.configure().dataSource(h2).locations("classpath:db/migration", "classpath:db/vendor/h2").load().migrate();
    }

    @AfterAll
    static void dropSchema() throws Exception {
        PostgresSchemas.drop(SCHEMA);
    }

    static Stream<String> databases2() {
        return Stream.of("postgresql", "h2");
    }

    private static DataSource ds(String db) {
        return db.equals("h2") ? h2 : postgres;
    }

    private static JdbcBudgetLedger ledger(DataSource ds) {
        return new JdbcBudgetLedger(new NamedParameterJdbcTemplate(ds), new DataSourceTransactionManager(ds));
    }

    private static long nextAt(DataSource ds, String key) {
        return new NamedParameterJdbcTemplate(ds).queryForObject("SELECT next_at FROM provider_budgets WHERE budget_key = :k",
                Map.of("k", key), Long.class);
    }

    @ParameterizedTest
    @MethodSource("databases2")
    void shouldGrantAKeyOncePerIntervalAndSayHowLongToWait(String db) {
        JdbcBudgetLedger ledger = ledger(ds(db));
        String name = "provider:one-" + UUID.randomUUID();
        long before = System.currentTimeMillis() * 1000;

        assertThat(ledger.take(List.of(new Key(name, HOUR_MICROS))).granted()).isTrue();
        // next_at = the database's now + the interval, in microseconds since the epoch (same machine: same clock)
        assertThat(nextAt(ds(db), name) - HOUR_MICROS).isBetween(before - 5_000_000, before + 5_000_000);

        Verdict refused = ledger.take(List.of(new Key(name, HOUR_MICROS)));
        assertThat(refused.granted()).isFalse();
        assertThat(refused.blockedBy()).isEqualTo(name);
        assertThat(refused.waitMicros()).isBetween(HOUR_MICROS - 60_000_000, HOUR_MICROS);

        // a short interval grants again once it has passed
        String quick = "provider:quick-" + UUID.randomUUID();
        assertThat(ledger.take(List.of(new Key(quick, 1))).granted()).isTrue();
        assertThat(ledger.take(List.of(new Key(quick, 1))).granted()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("databases2")
    void shouldTakeEveryKeyOfARequestOrNone(String db) {
        JdbcBudgetLedger ledger = ledger(ds(db));
        String free = "connection:x:" + UUID.randomUUID();
        String busy = "provider:busy-" + UUID.randomUUID();
        assertThat(ledger.take(List.of(new Key(busy, HOUR_MICROS))).granted()).isTrue();
        long busyNext = nextAt(ds(db), busy);

        Verdict verdict = ledger.take(List.of(new Key(free, HOUR_MICROS), new Key(busy, HOUR_MICROS)));
        assertThat(verdict.granted()).isFalse();
        assertThat(verdict.blockedBy()).isEqualTo(busy);
        assertThat(verdict.waitMicros()).isPositive();
        // the free key was not taken by the refused request: it still grants, and the busy key kept its time
        assertThat(nextAt(ds(db), free)).isZero();
        assertThat(nextAt(ds(db), busy)).isEqualTo(busyNext);
        assertThat(ledger.take(List.of(new Key(free, HOUR_MICROS))).granted()).isTrue();

        String a = "connection:y:" + UUID.randomUUID();
        String b = "provider:both-" + UUID.randomUUID();
        assertThat(ledger.take(List.of(new Key(b, 1), new Key(a, 1))).granted()).isTrue();
        assertThat(nextAt(ds(db), a)).isPositive();
        assertThat(nextAt(ds(db), b)).isPositive();
    }

    @ParameterizedTest
    @MethodSource("databases2")
    void shouldCommitATakeMadeInsideACallersTransactionOnItsOwn(String db) throws Exception {
        DataSource ds = ds(db);
        JdbcBudgetLedger ledger = ledger(ds);
        String name = "provider:in-tx-" + UUID.randomUUID();
        TransactionTemplate caller = new TransactionTemplate(new DataSourceTransactionManager(ds));
        caller.executeWithoutResult(status -> {
            assertThat(ledger.take(List.of(new Key(name, HOUR_MICROS))).granted()).isTrue();
            status.setRollbackOnly(); // the caller's work is rolled back: the permit it used stays used
        });
        assertThat(nextAt(ds, name)).isGreaterThan(HOUR_MICROS);
        // and another caller, outside any transaction, sees it taken at once (no lock left behind)
        assertThat(ledger.take(List.of(new Key(name, HOUR_MICROS))).granted()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("databases2")
    void shouldCreateAKeysRowAgainWhenItIsGone(String db) {
        DataSource ds = ds(db);
        JdbcBudgetLedger ledger = ledger(ds);
        String name = "provider:lost-" + UUID.randomUUID();
        String connection = "connection:lost:" + UUID.randomUUID();
        assertThat(ledger.take(List.of(new Key(name, HOUR_MICROS))).granted()).isTrue();
        assertThat(ledger.take(List.of(new Key(connection, HOUR_MICROS), new Key(name, 1))).granted()).isFalse();

        // what a crash does to PostgreSQL's unlogged table: the rows are gone, this instance still knows the keys
        new NamedParameterJdbcTemplate(ds).update("DELETE FROM provider_budgets WHERE budget_key IN (:k)",
                Map.of("k", List.of(name, connection)));

        assertThat(ledger.take(List.of(new Key(name, HOUR_MICROS))).granted()).isTrue();
        assertThat(nextAt(ds, name)).isGreaterThan(HOUR_MICROS);
        assertThat(ledger.take(List.of(new Key(name, HOUR_MICROS))).granted()).isFalse();
        assertThat(ledger.take(List.of(new Key(connection, 1), new Key("provider:other-" + UUID.randomUUID(), 1))).granted())
                .isTrue();
        assertThat(nextAt(ds, connection)).isPositive();

        // both keys of a request gone at once
        String provider = "provider:lost-both-" + UUID.randomUUID();
        assertThat(ledger.take(List.of(new Key(connection, 1), new Key(provider, 1))).granted()).isTrue();
        new NamedParameterJdbcTemplate(ds).update("DELETE FROM provider_budgets WHERE budget_key IN (:k)",
                Map.of("k", List.of(provider, connection)));
        assertThat(ledger.take(List.of(new Key(connection, HOUR_MICROS), new Key(provider, HOUR_MICROS))).granted()).isTrue();
        assertThat(nextAt(ds, provider)).isGreaterThan(HOUR_MICROS);
        assertThat(nextAt(ds, connection)).isGreaterThan(HOUR_MICROS);
    }

    @Test
    void shouldKeepPostgresBudgetsInAnUnloggedTable() {
        // a permit's commit does not wait for the write-ahead log to reach the disk (V48)
        assertThat(new NamedParameterJdbcTemplate(postgres).queryForObject(
                "SELECT relpersistence FROM pg_class WHERE oid = to_regclass(:t)::oid", Map.of("t", SCHEMA + ".provider_budgets"),
                String.class)).isEqualTo("u");
    }
}
