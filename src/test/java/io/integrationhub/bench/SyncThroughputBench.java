package io.integrationhub.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubIntegrationTest;

/**
 * N records (default 100,000) from a paged HTTP API on loopback into PostgreSQL through the whole sync
 * engine (HTTP, mapping, hashing, batched upsert, checkpoint, one CloudEvent per record on Kafka),
 * beside a raw JDBC batch insert of the same rows. Run by bench/sync/throughput.sh.
 */
@Import(BenchSources.class)
@TestPropertySource(properties = { "hub.resilience.default-budget=100000", "logging.level.io.integrationhub=WARN" })
class SyncThroughputBench extends HubIntegrationTest {

    @Autowired
    NamedParameterJdbcTemplate jdbc;

    @Test
    void throughput() throws Exception {
        int n = Integer.getInteger("bench.records", 100_000);
        int pageSize = Integer.getInteger("bench.page-size", 1000);
        try (LoopbackProvider provider = new LoopbackProvider()) {
            BenchSources.useProvider(provider.baseUrl());
            BenchSources.pageSize = pageSize;
            BenchSupport.Tenant t = BenchSupport.tenant(hub, adminToken, jdbc);
            provider.count(t.connectionId().toString(), "item", n);

            long start = System.nanoTime();
            String runId = BenchSupport.start(hub, t, "{\"entity\":\"item\",\"mode\":\"full\"}");
            JsonNode run = BenchSupport.await(hub, t, runId, Duration.ofMinutes(20));
            double hubSeconds = (System.nanoTime() - start) / 1e9;
            long stored = jdbc.queryForObject("SELECT COUNT(*) FROM records WHERE connection_id = :c",
                    Map.of("c", t.connectionId()), Long.class);
            assertThat(stored).isEqualTo(n);
            assertThat(run.path("created").asLong()).isEqualTo(n);

            double rawSeconds = rawInsert(t, n, pageSize);
            double hubRate = n / hubSeconds;
            double rawRate = n / rawSeconds;
            String report = String.format("""
                    sync throughput benchmark
                      records               %d (pages of %d)
                      hub sync              %.1f s  = %.0f records/s  (HTTP + map + hash + upsert + checkpoint + Kafka event)
                      raw JDBC batch insert %.1f s  = %.0f records/s  (same rows, same table shape, batches of %d)
                      ratio hub/raw         %.2f
                      max heap              %d MiB, peak heap used %d MiB
                    """, n, pageSize, hubSeconds, hubRate, rawSeconds, rawRate, pageSize, hubRate / rawRate,
                    Runtime.getRuntime().maxMemory() / (1024 * 1024), BenchSupport.peakHeapMiB());
            System.out.println(report);
            Files.writeString(Path.of("target", "bench-sync-throughput.txt"), report);
        }
    }

    /** The same rows straight into a copy of the records table: the floor the engine is compared with. */
    private double rawInsert(BenchSupport.Tenant t, int n, int batch) throws Exception {
        jdbc.getJdbcTemplate().execute("CREATE TABLE bench_raw_records AS SELECT * FROM records WHERE 1 = 0");
        // Same keys and indexes as records, so the comparison is only about the work around the insert.
        jdbc.getJdbcTemplate().execute("ALTER TABLE bench_raw_records ADD PRIMARY KEY (id)");
        jdbc.getJdbcTemplate().execute("CREATE UNIQUE INDEX ux_bench_raw ON bench_raw_records (connection_id, model, external_id)");
        jdbc.getJdbcTemplate().execute("CREATE INDEX ix_bench_raw_mod ON bench_raw_records (connection_id, model, updated_at)");
        jdbc.getJdbcTemplate().execute("CREATE INDEX ix_bench_raw_seen ON bench_raw_records (connection_id, model, last_seen_at)");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long nanos = 0;
        for (int from = 0; from < n; from += batch) {
            List<Map<String, Object>> rows = new ArrayList<>(batch);
            Timestamp now = Timestamp.from(Instant.now());
            for (int i = from; i < Math.min(n, from + batch); i++) {
                String data = "{\"name\":\"Item " + i + "\",\"description\":\"Generated item number " + i + "\",\"price\":"
                        + (i % 1000) + ".25,\"version\":" + i + "}";
                Map<String, Object> row = new HashMap<>();
                row.put("id", UUID.randomUUID());
                row.put("tenantId", t.id());
                row.put("connectionId", t.connectionId());
                row.put("externalId", "item-" + i);
                row.put("data", data);
                row.put("hash", HexFormat.of().formatHex(sha.digest(data.getBytes(StandardCharsets.UTF_8))));
                row.put("now", now);
                rows.add(row);
            }
            long s = System.nanoTime();
            jdbc.batchUpdate("INSERT INTO bench_raw_records (id, tenant_id, connection_id, model, external_id, data, "
                    + "content_hash, remote_updated_at, deleted, last_seen_at, created_at, updated_at) VALUES (:id, :tenantId, "
                    + ":connectionId, 'item', :externalId, :data, :hash, :now, FALSE, :now, :now, :now)",
                    rows.toArray(Map[]::new));
            nanos += System.nanoTime() - s;
        }
        jdbc.getJdbcTemplate().execute("DROP TABLE bench_raw_records");
        return nanos / 1e9;
    }
}
