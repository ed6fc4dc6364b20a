package io.integrationhub.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubIntegrationTest;

/**
 * Tenant A backfills 50,000 records (four entities at once) under a low provider budget; tenant B's
 * small incremental sync started in the middle must still finish promptly. Run by bench/sync/fairness.sh.
 */
@Import(BenchSources.class)
@TestPropertySource(properties = { "hub.resilience.budgets.square=10", "hub.sync.workers=6",
        "logging.level.io.integrationhub=WARN" })
class SyncFairnessBench extends HubIntegrationTest {

    static final String[] ENTITIES = { "item", "category", "order", "customer" };

    @Autowired
    NamedParameterJdbcTemplate jdbc;

    @Test
    void fairness() throws Exception {
        int backfill = Integer.getInteger("bench.records", 50_000);
        try (LoopbackProvider provider = new LoopbackProvider()) {
            BenchSources.useProvider(provider.baseUrl());
            BenchSources.pageSize = 50;
            BenchSupport.Tenant a = BenchSupport.tenant(hub, adminToken, jdbc);
            BenchSupport.Tenant b = BenchSupport.tenant(hub, adminToken, jdbc);
            for (String entity : ENTITIES) {
                provider.count(a.connectionId().toString(), entity, backfill / ENTITIES.length);
            }
            provider.count(b.connectionId().toString(), "item", 300);

            long aStart = System.nanoTime();
            List<String> aRuns = new ArrayList<>();
            for (String entity : ENTITIES) {
                aRuns.add(BenchSupport.start(hub, a, "{\"entity\":\"" + entity + "\",\"mode\":\"full\"}"));
            }
            // B asks once A's backfill is well under way.
            Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> processed(a, aRuns) >= backfill / 10);
            long aBefore = processed(a, aRuns);
            long bStart = System.nanoTime();
            String bRun = BenchSupport.start(hub, b, "{\"entity\":\"item\"}");
            BenchSupport.await(hub, b, bRun, Duration.ofMinutes(5));
            double bSeconds = (System.nanoTime() - bStart) / 1e9;
            long aAtB = processed(a, aRuns);
            for (String run : aRuns) {
                BenchSupport.await(hub, a, run, Duration.ofMinutes(20));
            }
            double aSeconds = (System.nanoTime() - aStart) / 1e9;
            String report = String.format("""
                    sync fairness benchmark (provider budget 10 requests/s, pages of 50)
                      tenant A backfill   %d records in %d concurrent runs: %.1f s (%d requests, ~%.1f requests/s)
                      tenant B incremental 300 records (6 pages) started at A=%d records: finished in %.2f s
                      while B ran, A went on from %d to %d records
                    """, backfill, ENTITIES.length, aSeconds, backfill / 50 + ENTITIES.length,
                    (backfill / 50 + ENTITIES.length) / aSeconds, aBefore, bSeconds, aBefore, aAtB);
            System.out.println(report);
            Files.writeString(Path.of("target", "bench-sync-fairness.txt"), report);
            assertThat(processed(a, aRuns)).isEqualTo(backfill);
        }
    }

    private long processed(BenchSupport.Tenant t, List<String> runs) {
        long sum = 0;
        for (String run : runs) {
            JsonNode r = hub.get("/api/v1/syncs/" + run, t.key()).json();
            sum += r.path("recordsProcessed").asLong();
        }
        return sum;
    }
}
