package io.integrationhub.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives every test application context its own PostgreSQL schema, so contexts, test JVMs and
 * developers' parallel runs never see each other's rows, and drops it when the JVM exits.
 * Also fails at once, with the URL and how to fix it, when PostgreSQL is not reachable: the suite
 * needs a real database and must not skip.
 */
public class IsolatedSchema implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (!env.getProperty("hub.test.isolated-schema", Boolean.class, false)) {
            return;
        }
        String url = env.getRequiredProperty("spring.datasource.url");
        String user = env.getProperty("spring.datasource.username");
        String password = env.getProperty("spring.datasource.password", "");
        String schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("The test suite needs PostgreSQL at " + url + " (user " + user + "): "
                    + e.getMessage() + ". Start it (CI: pg_ctlcluster <version> main start) or point HUB_TEST_DB_URL, "
                    + "HUB_TEST_DB_USER and HUB_TEST_DB_PASSWORD at one.", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(url, user, password, schema), "drop-" + schema));
        env.getPropertySources().addFirst(new MapPropertySource("isolated-schema", Map.of(
                "spring.datasource.hikari.schema", schema,
                "spring.flyway.schemas", schema,
                "spring.flyway.default-schema", schema,
                // Spring's Quartz job store finds its DataSource in Quartz's JVM-wide DBConnectionManager under the
                // scheduler's name: contexts of one test JVM sharing a name would all use the last one's schema.
                "spring.quartz.properties.org.quartz.scheduler.instanceName", "integration-hub-" + schema,
                "hub.test.schema", schema)));
    }

    private static void drop(String url, String user, String password, String schema) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            // Best effort at JVM exit; a leftover schema holds only test data.
        }
    }
}
