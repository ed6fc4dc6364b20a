package io.integrationhub.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubIntegrationTest;

/**
 * Two phases in two JVMs sharing one PostgreSQL schema (bench/sync/kill-restart.sh): "start" begins a
 * slow full sync and reports progress until the script kills the JVM with SIGKILL; "resume" starts a
 * new hub that takes the orphaned run over and checks the result is exactly the provider's records.
 */
@Import(BenchSources.class)
@TestPropertySource(properties = { "hub.sync.stale-after=PT5S", "hub.sync.sweep-period-ms=1000",
        "hub.sync.heartbeat-period-ms=1000", "hub.resilience.default-budget=100000" })
class SyncKillRestartBench extends HubIntegrationTest {

    static final Path DIR = Path.of("target", "bench-kill");
    /**
     * Started before the hub: in the resume phase the sweep takes the orphaned run over as soon as the
     * context is up, so the provider must already be there.
     */
    static final LoopbackProvider PROVIDER;

    static {
        try {
            PROVIDER = new LoopbackProvider();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
        BenchSources.useProvider(PROVIDER.baseUrl());
        BenchSources.pageSize = 500;
        if ("resume".equals(System.getProperty("bench.phase"))) {
            Properties state = new Properties();
            try (Reader r = Files.newBufferedReader(DIR.resolve("state.properties"))) {
                state.load(r);
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
            PROVIDER.count(state.getProperty("connectionId"), "item", Integer.getInteger("bench.records", 20_000));
        }
    }

    @Autowired
    NamedParameterJdbcTemplate jdbc;

    @Test
    void phase() throws Exception {
        int n = Integer.getInteger("bench.records", 20_000);
        Files.createDirectories(DIR);
        if ("resume".equals(System.getProperty("bench.phase"))) {
            resume(n);
        } else {
            start(n);
        }
    }

    private void start(int n) throws Exception {
        try (LoopbackProvider provider = PROVIDER) {
            provider.delay(150);
            BenchSupport.Tenant t = BenchSupport.tenant(hub, adminToken, jdbc);
            provider.count(t.connectionId().toString(), "item", n);
            String runId = BenchSupport.start(hub, t, "{\"entity\":\"item\",\"mode\":\"full\"}");
            Properties state = new Properties();
            state.setProperty("tenantKey", t.key());
            state.setProperty("connectionId", t.connectionId().toString());
            state.setProperty("runId", runId);
            try (Writer w = Files.newBufferedWriter(DIR.resolve("state.properties"))) {
                state.store(w, "sync kill/restart benchmark");
            }
            Files.writeString(DIR.resolve("pid"), String.valueOf(ProcessHandle.current().pid()));
            long deadline = System.currentTimeMillis() + 600_000;
            while (System.currentTimeMillis() < deadline) {
                JsonNode run = hub.get("/api/v1/syncs/" + runId, t.key()).json();
                Files.writeString(DIR.resolve("progress"), run.path("recordsProcessed").asText());
                if (!"running".equals(run.path("status").asText()) && !"queued".equals(run.path("status").asText())) {
                    throw new AssertionError("the run ended before it was killed: " + run);
                }
                Thread.sleep(200); // a benchmark driver polling the API, not a test assertion
            }
        }
    }

    private void resume(int n) throws IOException {
        Properties state = new Properties();
        try (Reader r = Files.newBufferedReader(DIR.resolve("state.properties"))) {
            state.load(r);
        }
        UUID connectionId = UUID.fromString(state.getProperty("connectionId"));
        String runId = state.getProperty("runId");
        long before = Long.parseLong(Files.readString(DIR.resolve("progress")).trim());
        try (LoopbackProvider provider = PROVIDER) {
            provider.count(connectionId.toString(), "item", n);
            long start = System.nanoTime();
            JsonNode run = BenchSupport.await(hub, new BenchSupport.Tenant(null, state.getProperty("tenantKey"), connectionId),
                    runId, Duration.ofMinutes(10));
            Map<String, Object> counts = jdbc.queryForMap("SELECT COUNT(*) AS total, COUNT(DISTINCT external_id) AS distinct_ids, "
                    + "SUM(CASE WHEN deleted THEN 1 ELSE 0 END) AS deleted FROM records WHERE connection_id = :c",
                    Map.of("c", connectionId));
            String report = String.format("""
                    sync kill/restart benchmark
                      provider records          %d
                      processed when killed     %d
                      resumed run               %s in %.1f s after restart
                      records after resume      %s (distinct external ids %s, deleted %s)
                      run recordsProcessed      %d, created %d
                    """, n, before, run.path("status").asText(), (System.nanoTime() - start) / 1e9, counts.get("total"),
                    counts.get("distinct_ids"), counts.get("deleted"), run.path("recordsProcessed").asLong(),
                    run.path("created").asLong());
            System.out.println(report);
            Files.writeString(Path.of("target", "bench-sync-kill-restart.txt"), report);
            assertThat(((Number) counts.get("total")).longValue()).isEqualTo(n);
            assertThat(((Number) counts.get("distinct_ids")).longValue()).isEqualTo(n);
            assertThat(((Number) counts.get("deleted")).longValue()).isZero();
            assertThat(run.path("created").asLong()).isEqualTo(n);
        }
    }
}
