package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * Sync tests: the whole hub plus provider APIs on WireMock. Short heartbeat/sweep periods so a
 * crashed run is taken over within seconds; fast backoff so retries do not slow the suite.
 */
@Import(TestProviders.class)
@TestPropertySource(properties = {
        "hub.sync.stale-after=PT2S",
        "hub.sync.queued-grace=PT3S",
        "hub.sync.heartbeat-period-ms=300",
        "hub.sync.sweep-period-ms=500",
        "hub.resilience.initial-backoff=PT0.02S",
        "hub.resilience.max-backoff=PT0.1S",
        "hub.resilience.max-retry-after=PT5S",
        "hub.resilience.circuit-breaker.minimum-number-of-calls=50",
        "hub.resilience.budgets.xero=1000",
        "hub.resilience.connection-budgets.xero.limit=100000" })
public abstract class SyncTestBase extends HubIntegrationTest {

    protected static final WireMockServer PROVIDER = new WireMockServer(options().dynamicPort());

    static {
        PROVIDER.start();
        Runtime.getRuntime().addShutdownHook(new Thread(PROVIDER::stop));
    }

    @DynamicPropertySource
    static void providerUrl(DynamicPropertyRegistry registry) {
        registry.add("test.provider.url", PROVIDER::baseUrl);
        // The test families call through the platform provider endpoint, which sends a token only below the
        // provider's configured API URL.
        for (String provider : new String[] {"hubspot", "xero", "business-central"}) {
            registry.add("hub.providers." + provider + ".api-url", PROVIDER::baseUrl);
        }
    }

    @Autowired
    protected NamedParameterJdbcTemplate jdbc;

    @Autowired
    protected TestProviders.Tokens tokens;

    @Value("${hub.kafka.bootstrap-servers}")
    protected String kafka;

    /** A tenant with its API key and one active connection of the provider. */
    protected record Tenant(UUID id, String key, UUID connectionId) {
    }

    @BeforeEach
    void resetProvider() {
        PROVIDER.resetAll();
        TestProviders.Crash.beforeCursor = null;
    }

    protected Tenant tenantWith(String provider) {
        JsonNode tenant = newTenant();
        UUID tenantId = UUID.fromString(tenant.path("id").asText());
        return new Tenant(tenantId, tenant.path("apiKey").asText(), connection(tenantId, provider, "{}"));
    }

    /** Connections are created here directly: the OAuth flow that creates them is another issue's. */
    protected UUID connection(UUID tenantId, String provider, String config) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO connections (id, tenant_id, provider, name, status, scopes, config, created_at, updated_at) "
                + "VALUES (:id, :tenantId, :provider, :name, 'active', '[]', :config, :now, :now)",
                Map.of("id", id, "tenantId", tenantId, "provider", provider, "name", provider + " test", "config", config,
                        "now", now));
        return id;
    }

    protected String startSync(Tenant t, String body) {
        HubClient.Response r = hub.post("/api/v1/connections/" + t.connectionId() + "/syncs", t.key(), body);
        if (r.status() != 202) {
            throw new AssertionError("sync not queued: " + r.status() + " " + r.body());
        }
        return r.json().path("id").asText();
    }

    protected JsonNode run(Tenant t, String runId) {
        return hub.get("/api/v1/syncs/" + runId, t.key()).json();
    }

    protected JsonNode awaitStatus(Tenant t, String runId, String status) {
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(run(t, runId).path("status").asText()));
        return run(t, runId);
    }

    protected JsonNode records(Tenant t, String model, String query) {
        HubClient.Response r = hub.get("/api/v1/connections/" + t.connectionId() + "/records/" + model + query, t.key());
        if (r.status() != 200) {
            throw new AssertionError("records: " + r.status() + " " + r.body());
        }
        return r.json();
    }

    protected long liveRecords(Tenant t, String model) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM records WHERE connection_id = :c AND model = :m AND deleted = FALSE",
                Map.of("c", t.connectionId(), "m", model), Long.class);
    }
}
