package io.integrationhub.bench;

import org.awaitility.Awaitility;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;

/** What the sync benchmarks share: tenants and connections, starting runs and waiting for them. */
final class BenchSupport {

    private BenchSupport() {
    }

    record Tenant(UUID id, String key, UUID connectionId) {
    }

    static Tenant tenant(HubClient hub, String adminToken, NamedParameterJdbcTemplate jdbc) {
        JsonNode t = hub.post("/api/v1/tenants", adminToken, "{\"name\":\"bench-" + UUID.randomUUID() + "\"}").json();
        UUID tenantId = UUID.fromString(t.path("id").asText());
        UUID connectionId = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO connections (id, tenant_id, provider, name, status, scopes, config, created_at, updated_at) "
                + "VALUES (:id, :tenantId, 'square', 'bench', 'active', '[]', '{}', :now, :now)",
                Map.of("id", connectionId, "tenantId", tenantId, "now", now));
        return new Tenant(tenantId, t.path("apiKey").asText(), connectionId);
    }

    static String start(HubClient hub, Tenant t, String body) {
        HubClient.Response r = hub.post("/api/v1/connections/" + t.connectionId() + "/syncs", t.key(), body);
        if (r.status() != 202) {
            throw new AssertionError(r.status() + " " + r.body());
        }
        return r.json().path("id").asText();
    }

    static JsonNode await(HubClient hub, Tenant t, String runId, Duration atMost) {
        // polled every 20 ms from the start: at 200 ms (before 2026-12-06) the poll's own step was up to a sixth of an
        // unchanged 100,000-record run (1.2 s), and the figure is "request to run succeeded"
        Awaitility.await().dontCatchUncaughtExceptions().atMost(atMost).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> hub.get("/api/v1/syncs/" + runId, t.key()).json().path("status").asText()
                        .matches("succeeded|failed|cancelled"));
        JsonNode run = hub.get("/api/v1/syncs/" + runId, t.key()).json();
        if (!"succeeded".equals(run.path("status").asText())) {
            throw new AssertionError("run did not succeed: " + run);
        }
        return run;
    }

    /** Peak heap use over all heap pools since the JVM started, in MiB. */
    static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024 * 1024);
    }
}
