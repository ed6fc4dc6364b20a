package io.integrationhub.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

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

    public static void drop(String schema) throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
