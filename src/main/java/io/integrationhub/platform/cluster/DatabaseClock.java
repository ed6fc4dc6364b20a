package io.integrationhub.platform.cluster;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The database's clock: one clock for every instance of the cluster, so that leases and budgets never depend on
 * how well the pods' clocks agree. In PostgreSQL {@code CURRENT_TIMESTAMP} is the start of the current transaction.
 */
public final class DatabaseClock {

    /**
     * The same clock inside a statement, in microseconds since the epoch (PostgreSQL and H2): for a statement that both
     * reads and writes by the clock, without asking for the time first.
     */
    public static final String NOW_MICROS_SQL = "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT)";

    private static final OffsetDateTime EPOCH = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private DatabaseClock() {
    }

    /** Microseconds since the epoch, as the database sees it now. */
    public static long nowMicros(JdbcTemplate jdbc) {
        return ChronoUnit.MICROS.between(EPOCH, jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class));
    }
}
