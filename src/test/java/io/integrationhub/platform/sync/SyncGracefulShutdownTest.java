package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.integrationhub.HubApplication;
import io.integrationhub.support.HubClient;

/**
 * Graceful shutdown of an instance in the middle of a sync run, as SIGTERM does it (Spring's shutdown hook closes the
 * application context): the run is handed back at a page boundary — queued again, no owner, its checkpoint kept — so
 * another instance resumes it at once instead of waiting for the lease (hub.sync.stale-after, 60 s here) to expire,
 * and the resumed run reads every remaining page exactly once. Two hub instances in turn on one PostgreSQL schema.
 */
class SyncGracefulShutdownTest {

    private static final int CONTACTS = 40;
    private static final int PAGES = CONTACTS / 2;
    private static final WireMockServer PROVIDER = new WireMockServer(options().dynamicPort());

    private static String url;
    private static String user;
    private static String password;
    private static String schema;

    @BeforeAll
    static void schemaAndProvider() throws Exception {
        url = System.getenv().getOrDefault("HUB_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        user = System.getenv().getOrDefault("HUB_TEST_DB_USER", "postgres");
        password = System.getenv().getOrDefault("HUB_TEST_DB_PASSWORD", "");
        schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        PROVIDER.start();
        // HubSpot's contact list, 2 per page with cursor "after"; each page takes a while, so the run is mid-way
        // when the instance stops.
        for (int page = 0; page < PAGES; page++) {
            List<String> slice = new ArrayList<>();
            for (int i = page * 2 + 1; i <= page * 2 + 2; i++) {
                slice.add("{\"id\":\"" + i + "\",\"properties\":{\"email\":\"p" + i + "@example.com\",\"firstname\":\"F" + i
                        + "\",\"lastname\":\"L" + i + "\"},\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":"
                        + "\"2026-02-01T10:00:00Z\",\"archived\":false}");
            }
            boolean more = page + 1 < PAGES;
            String body = "{\"results\":[" + String.join(",", slice) + "]"
                    + (more ? ",\"paging\":{\"next\":{\"after\":\"c" + (page + 1) + "\"}}" : "") + "}";
            PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                    .withQueryParam("after", page == 0 ? absent() : equalTo("c" + page))
                    .willReturn(okJson(body).withFixedDelay(250)));
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        PROVIDER.stop();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void shouldHandARunBackAtAPageBoundaryOnShutdownAndResumeItElsewhereWithoutRereadingAPage() {
        String runId;
        UUID connectionId;
        String key;
        String group = "hub-sync-shutdown-" + UUID.randomUUID();
        try (ConfigurableApplicationContext first = instance(group)) {
            HubClient hub = client(first);
            JsonNode tenant = hub.post("/api/v1/tenants", "test-admin-token-0123456789abcdef",
                    "{\"name\":\"shutdown-" + UUID.randomUUID() + "\"}").json();
            key = tenant.path("apiKey").asText();
            connectionId = connection(first, UUID.fromString(tenant.path("id").asText()));
            HubClient.Response queued = hub.post("/api/v1/connections/" + connectionId + "/syncs", key,
                    "{\"entity\":\"contact\",\"mode\":\"full\"}");
            assertThat(queued.status()).isEqualTo(202);
            runId = queued.json().path("id").asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> pages(first, runId) >= 3);
        } // close(): what the JVM's shutdown hook does on SIGTERM

        Map<String, Object> handedBack = row(runId);
        int pagesRead = PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))).size();
        assertThat(handedBack.get("status")).as("handed back to the queue, not left running until its lease expires")
                .isEqualTo("queued");
        assertThat(handedBack.get("owner")).isNull();
        assertThat(String.valueOf(handedBack.get("message"))).contains("instance stopped");
        assertThat(handedBack.get("checkpoint")).isNotNull();
        int committed = ((Number) handedBack.get("pages")).intValue();
        assertThat(committed).as("stopped at a page boundary: every page read was committed").isEqualTo(pagesRead)
                .isBetween(3, PAGES - 1);

        try (ConfigurableApplicationContext second = instance(group)) {
            HubClient hub = client(second);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "succeeded".equals(hub.get("/api/v1/syncs/" + runId, key).json().path("status").asText()));
            JsonNode run = hub.get("/api/v1/syncs/" + runId, key).json();
            assertThat(run.path("recordsProcessed").asLong()).isEqualTo(CONTACTS);
            assertThat(run.path("created").asLong()).as("no record written twice").isEqualTo(CONTACTS);
            JsonNode records = hub.get("/api/v1/connections/" + connectionId + "/records/contact?limit=100", key).json();
            assertThat(records.path("records").size()).isEqualTo(CONTACTS);
        }
        assertThat(PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))))
                .as("the second instance resumed from the checkpoint: each page read once in all").hasSize(PAGES);
        assertThat(PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts")).withQueryParam("after", absent())))
                .as("the first page was not read again").hasSize(1);
    }

    /** One hub instance of the pair: the test profile on the shared schema, in the shared sync consumer group. */
    private static ConfigurableApplicationContext instance(String syncGroup) {
        // As command-line arguments: they outrank application-test.yaml (its isolated schema per context above all).
        Map<String, String> settings = Map.ofEntries(
                Map.entry("server.port", "0"),
                Map.entry("hub.test.isolated-schema", "false"),
                Map.entry("spring.datasource.hikari.schema", schema),
                Map.entry("spring.flyway.schemas", schema),
                Map.entry("spring.flyway.default-schema", schema),
                Map.entry("hub.sync.consumer-group", syncGroup),
                // the lease stays long: the hand-back, not its expiry, must move the run
                Map.entry("hub.sync.stale-after", "PT60S"),
                Map.entry("hub.sync.heartbeat-period-ms", "300"),
                Map.entry("hub.sync.sweep-period-ms", "500"),
                Map.entry("hub.resilience.default-budget", "100000"),
                Map.entry("test.provider.url", PROVIDER.baseUrl()),
                Map.entry("hub.providers.hubspot.api-url", PROVIDER.baseUrl()));
        return new SpringApplicationBuilder(HubApplication.class, TestProviders.class)
                .profiles("test")
                .run(settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    private static HubClient client(ConfigurableApplicationContext context) {
        return new HubClient("http://localhost:" + context.getEnvironment().getProperty("local.server.port"));
    }

    /** Connections are made directly: the OAuth flow that creates them is not what this test is about. */
    private static UUID connection(ConfigurableApplicationContext context, UUID tenantId) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        context.getBean(NamedParameterJdbcTemplate.class).update("INSERT INTO connections (id, tenant_id, provider, name, "
                + "status, scopes, config, created_at, updated_at) VALUES (:id, :tenantId, 'hubspot', 'hubspot', 'active', "
                + "'[]', '{}', :now, :now)", Map.of("id", id, "tenantId", tenantId, "now", now));
        return id;
    }

    private static int pages(ConfigurableApplicationContext context, String runId) {
        return context.getBean(NamedParameterJdbcTemplate.class).queryForObject(
                "SELECT pages FROM sync_runs WHERE id = :id", Map.of("id", UUID.fromString(runId)), Integer.class);
    }

    private static Map<String, Object> row(String runId) {
        try (Connection c = DriverManager.getConnection(url, user, password);
                java.sql.PreparedStatement s = c.prepareStatement("SELECT status, owner, message, checkpoint, pages FROM "
                        + schema + ".sync_runs WHERE id = ?")) {
            s.setObject(1, UUID.fromString(runId));
            try (java.sql.ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                Map<String, Object> row = new java.util.HashMap<>();
                for (String column : List.of("status", "owner", "message", "checkpoint", "pages")) {
                    row.put(column, rs.getObject(column));
                }
                return row;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
