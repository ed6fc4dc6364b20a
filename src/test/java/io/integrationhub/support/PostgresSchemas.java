package io.integrationhub.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The suite's PostgreSQL (HUB_TEST_DB_URL / _USER / _PASSWORD, default 127.0.0.1:5432, database "test", as CI) for
 * tests that work on plain JDBC without an application context: a schema of their own, made and dropped here.
 */
public final class PostgresSchemas {

    public static final String URL = System.getenv().getOrDefault("HUB_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getenv().getOrDefault("HUB_TEST_DB_USER", "postgres");
    public static final String PASSWORD = System.getenv().getOrDefault("HUB_TEST_DB_PASSWORD", "");

    private PostgresSchemas() {
    }

    /** A new schema's name, {@code prefix} and random characters; not yet created. */
    public static String name(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    public static void create(String schema) throws SQLException {
        execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    }

    /**
     * A new schema with the hub's PostgreSQL migrations, on one connection whose current schema it is (a repeated
     * statement stays that connection's prepared one). {@code destroy()} it before {@link #drop}.
     */
    public static SingleConnectionDataSource migrated(String schema) throws SQLException {
        create(schema);
        SingleConnectionDataSource ds = new SingleConnectionDataSource(URL + (URL.contains("?") ? "&" : "?")
                + "currentSchema=" + schema, USER, PASSWORD, true);
        migrate(ds, schema);
        return ds;
    }

    /** The hub's migrations ({@code db/migration}, {@code db/vendor/postgresql}) into {@code schema}. */
    public static void migrate(DataSource ds, String schema) {
        Flyway.configure().dataSource(ds).schemas(schema).defaultSchema(schema)
                .locations("classpath:db/migration", "classpath:db/vendor/postgresql").load().migrate();
    }

    public static void drop(String schema) throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
