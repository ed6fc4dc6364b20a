package io.integrationhub.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
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

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubIntegrationTest;

/**
 * N records (default 100,000) from a paged HTTP API on loopback into PostgreSQL (or H2) through the whole sync
 * engine (HTTP, mapping, hashing, set-based upsert, checkpoint, one CloudEvent per record through the outbox to
 * Kafka), beside a raw JDBC batch insert of the same rows; then the same records again (all unchanged). The time of
 * each step of route sync.run comes from Camel's statistics. Run by bench/sync/throughput.sh.
 */
@Import(BenchSources.class)
@TestPropertySource(properties = { "hub.resilience.default-budget=100000", "logging.level.io.integrationhub=WARN" })
class SyncThroughputBench extends HubIntegrationTest {

    @Autowired
    NamedParameterJdbcTemplate jdbc;

    /** The nodes of route sync.run whose time the report breaks down (Camel's own per-node statistics, JMX). */
    private static final List<String> STEPS = List.of("sync.run.page", "sync.run.transform", "sync.run.commit",
            "sync.run.cancel-check", "sync.run.page-request", "sync.run.sweep", "sync.run.claim", "sync.run.prepare",
            "sync.run.finish");

    @Test
    void throughput() throws Exception {
        int n = Integer.getInteger("bench.records", 100_000);
        int pageSize = Integer.getInteger("bench.page-size", 1000);
        try (LoopbackProvider provider = new LoopbackProvider()) {
            BenchSources.useProvider(provider.baseUrl());
            BenchSources.pageSize = pageSize;
            BenchSupport.Tenant t = BenchSupport.tenant(hub, adminToken, jdbc);
            provider.count(t.connectionId().toString(), "item", n);

            // Warm-up: the same paths on other tenants first (a full run, an unchanged run, a raw insert), so the
            // measured runs are a running hub's and not the JIT compiling the sync path meanwhile. One round was not
            // enough on two cores: with 20,000 records the C2 compiler still took ~6 of the 1st run's ~22 CPU
            // seconds (per-thread CPU from /proc), compiling the page commit's hottest methods during it. Rounds
            // are repeated until the compiler threads use under 5 % of the cores in a round (at most
            // -Dbench.warmup-rounds, default 30). On two cores the one C2 compiler thread is never idle in the JVM's
            // first ~30 s (-XX:+LogCompilation: start-up code interleaved with the sync path); with the earlier cap of 3
            // rounds the compiler threads still took 3-4 of the 1st run's ~10 CPU seconds, after 10 rounds 1-2, and the
            // share fell under 5 % after ~25 rounds (~60 s, docs/performance.md). The raw insert is warmed in every round.
            int warm = Integer.getInteger("bench.warmup", 20_000);
            int maxRounds = Integer.getInteger("bench.warmup-rounds", 30);
            String warmup = "none (-Dbench.warmup=0)";
            if (warm > 0) {
                long s = System.nanoTime();
                StringBuilder rounds = new StringBuilder();
                for (int round = 1; round <= maxRounds; round++) {
                    long roundStart = System.nanoTime();
                    double jitBefore = jvmThreads()[0];
                    BenchSupport.Tenant w = BenchSupport.tenant(hub, adminToken, jdbc);
                    provider.count(w.connectionId().toString(), "item", warm);
                    run(w, warm);
                    run(w, warm);
                    rawInsert(w, warm, pageSize);
                    // compiler threads' CPU per second of the round, against all cores
                    double share = (jvmThreads()[0] - jitBefore) / ((System.nanoTime() - roundStart) / 1e9
                            * Runtime.getRuntime().availableProcessors());
                    rounds.append(rounds.isEmpty() ? "" : ", ").append(String.format("%.0f %%", share * 100));
                    if (share < 0.05) {
                        break;
                    }
                }
                warmup = String.format("%d records on another tenant per round: a full run, an unchanged run, a raw insert; "
                        + "JIT compiler threads at %s of the cores in each round (%.1f s)", warm, rounds, (System.nanoTime() - s) / 1e9);
            }

            Run first = run(t, n);
            assertThat(first.json.path("created").asLong()).isEqualTo(n);
            long stored = jdbc.queryForObject("SELECT COUNT(*) FROM records WHERE connection_id = :c",
                    Map.of("c", t.connectionId()), Long.class);
            assertThat(stored).isEqualTo(n);

            double[] rawCpuBefore = cpu();
            double rawSeconds = rawInsert(t, n, pageSize);
            double[] rawCpu = cpu();

            // The same records again, all unchanged: no write but "seen", no event.
            Run second = run(t, n);
            assertThat(second.json.path("created").asLong()).isZero();
            assertThat(second.json.path("updated").asLong()).isZero();
            assertThat(second.json.path("deleted").asLong()).isZero();
            assertThat(second.json.path("recordsProcessed").asLong()).isEqualTo(n);

            double rawRate = n / rawSeconds;
            String db = jdbc.getJdbcTemplate().execute((ConnectionCallback<String>) c -> c.getMetaData().getDatabaseProductName()
                    + " " + c.getMetaData().getDatabaseProductVersion());
            String report = String.format("""
                    sync throughput benchmark (%s)
                      records               %d (pages of %d)
                      warm-up               %s
                      1st run (all new)     %.1f s  = %.0f records/s  (request to run succeeded: HTTP + map + hash + upsert + checkpoint + outbox events)
                                            %.1f s  = %.0f records/s  until every change event was relayed to Kafka (outbox empty)
                        run's own time      %.1f s  (startedAt to completedAt)
                        steps               %s
                        CPU                 %s
                        JVM                 %s
                      raw JDBC batch insert %.1f s  = %.0f records/s  (same rows, same table shape, batches of %d)
                        CPU                 %s (the whole bench loop, row building included)
                      ratio hub/raw         %.2f  (run succeeded)   %.2f  (events relayed)
                      2nd run (unchanged)   %.1f s  = %.0f records/s  (no write but "seen", no event) = %.1fx faster than the 1st
                        run's own time      %.1f s
                        steps               %s
                        CPU                 %s
                        JVM                 %s
                      max heap              %d MiB, peak heap used %d MiB
                      machine               %d cores, load average %s
                    """, db, n, pageSize, warmup, first.seconds, n / first.seconds, first.relayedSeconds, n / first.relayedSeconds,
                    first.ownSeconds, first.steps, perThousand(first.cpuBefore(), first.cpuAfter(), n), first.jvm, rawSeconds, rawRate, pageSize,
                    perThousand(rawCpuBefore, rawCpu, n), n / first.seconds / rawRate,
                    n / first.relayedSeconds / rawRate, second.seconds, n / second.seconds, first.seconds / second.seconds,
                    second.ownSeconds, second.steps, perThousand(second.cpuBefore(), second.cpuAfter(), n), second.jvm, Runtime.getRuntime().maxMemory() / (1024 * 1024), BenchSupport.peakHeapMiB(),
                    Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.println(report);
            Files.writeString(Path.of("target", "bench-sync-throughput.txt"), report);
        }
    }

    private record Run(JsonNode json, double seconds, double relayedSeconds, double ownSeconds, String steps, double[] cpu,
            String jvm) {
        double[] cpuBefore() {
            return new double[] {cpu[0], cpu[1]};
        }

        double[] cpuAfter() {
            return new double[] {cpu[2], cpu[3]};
        }
    }

    /**
     * CPU seconds used so far: [0] this JVM (hub, embedded broker, loopback provider), [1] the PostgreSQL backends of the
     * hub's pool (found by the application name bench/sync/throughput.sh gives them; 0 on H2). Load on the machine
     * disturbs these much less than wall-clock rates.
     */
    private double[] cpu() {
        double jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
        double pg = 0;
        if (postgres()) {
            List<Integer> pids = jdbc.queryForList("SELECT pid FROM pg_stat_activity WHERE application_name = 'hub-sync-bench'",
                    Map.of(), Integer.class);
            for (int pid : pids) {
                try {
                    String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    pg += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime + stime, clock ticks
                } catch (Exception gone) {
                    // a backend that ended in between
                }
            }
        }
        return new double[] {jvm, pg};
    }

    private boolean postgres() {
        return Boolean.TRUE.equals(jdbc.getJdbcTemplate().execute((ConnectionCallback<Boolean>) c -> c.getMetaData()
                .getDatabaseProductName().startsWith("PostgreSQL")));
    }

    private static String perThousand(double[] before, double[] after, int n) {
        return String.format("JVM %.2f s, PostgreSQL backends %.2f s per 1,000 records", (after[0] - before[0]) * 1000 / n,
                (after[1] - before[1]) * 1000 / n);
    }

    /** One full run of the item entity: wall time to succeeded, to an empty outbox, and time per route step. */
    private Run run(BenchSupport.Tenant t, int n) throws Exception {
        Map<String, long[]> before = steps();
        double[] threadsBefore = jvmThreads();
        double[] cpuBefore = cpu();
        long start = System.nanoTime();
        String runId = BenchSupport.start(hub, t, "{\"entity\":\"item\",\"mode\":\"full\"}");
        JsonNode run = BenchSupport.await(hub, t, runId, Duration.ofMinutes(20));
        double seconds = (System.nanoTime() - start) / 1e9;
        Awaitility.await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> jdbc.queryForObject("SELECT COUNT(*) FROM outbox_events", Map.of(), Long.class) == 0);
        double relayed = (System.nanoTime() - start) / 1e9;
        double[] cpuAfter = cpu();
        double[] threads = jvmThreads();
        String jvm = String.format("of the JVM's CPU: JIT compiler threads %.1f s, garbage collector threads %.1f s",
                threads[0] - threadsBefore[0], threads[1] - threadsBefore[1]);
        double own = Duration.between(Instant.parse(run.path("startedAt").asText()),
                Instant.parse(run.path("completedAt").asText())).toMillis() / 1e3;
        Map<String, long[]> after = steps();
        StringBuilder steps = new StringBuilder();
        for (String step : STEPS) {
            long[] a = after.getOrDefault(step, new long[2]);
            long[] b = before.getOrDefault(step, new long[2]);
            steps.append(steps.isEmpty() ? "" : ", ").append(step.substring("sync.run.".length())).append(' ')
                    .append(String.format("%.2f s", (a[0] - b[0]) / 1e3));
        }
        return new Run(run, seconds, relayed, own, steps.toString(), new double[] {cpuBefore[0], cpuBefore[1], cpuAfter[0], cpuAfter[1]},
                jvm);
    }

    /**
     * CPU seconds this JVM's own threads have used so far: [0] the JIT compilers ("C1/C2 CompilerThread"), [1] the
     * garbage collector (G1's "GC Thread", "G1 Conc", "G1 Refine", ...), from /proc/self/task (Linux). The JVM's
     * collection-time counters leave out G1's concurrent marking, which was most of its time here. A compiler thread
     * that ended in between takes its time with it (slightly under-counted).
     */
    private static double[] jvmThreads() {
        double[] cpu = new double[2];
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    int kind = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? 0
                            : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? 1 : -1;
                    if (kind >= 0) {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        cpu[kind] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                    }
                } catch (Exception gone) {
                    // a thread that ended in between
                }
            }
        } catch (Exception noProc) {
            // not Linux: reported as 0
        }
        return cpu;
    }

    /** Total processing time (ms) and exchanges of the route steps, from Camel's processor MBeans. */
    private static Map<String, long[]> steps() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, long[]> totals = new HashMap<>();
        for (String step : STEPS) {
            for (ObjectName name : server.queryNames(new ObjectName("org.apache.camel:type=processors,name=\"" + step + "\",*"),
                    null)) {
                long[] v = totals.computeIfAbsent(step, k -> new long[2]);
                v[0] += (Long) server.getAttribute(name, "TotalProcessingTime");
                v[1] += (Long) server.getAttribute(name, "ExchangesCompleted");
            }
        }
        return totals;
    }

    /** The same rows straight into a copy of the records table: the floor the engine is compared with. */
    private double rawInsert(BenchSupport.Tenant t, int n, int batch) throws Exception {
        jdbc.getJdbcTemplate().execute("CREATE TABLE bench_raw_records AS SELECT * FROM records WHERE 1 = 0");
        // Same keys and indexes as records (since V44 without an index on last_seen_at), so the comparison is only
        // about the work around the insert.
        // (H2's CREATE TABLE … AS does not copy NOT NULL)
        jdbc.getJdbcTemplate().execute("ALTER TABLE bench_raw_records ALTER COLUMN id SET NOT NULL");
        jdbc.getJdbcTemplate().execute("ALTER TABLE bench_raw_records ADD PRIMARY KEY (id)");
        jdbc.getJdbcTemplate().execute("CREATE UNIQUE INDEX ux_bench_raw ON bench_raw_records (connection_id, model, external_id)");
        jdbc.getJdbcTemplate().execute("CREATE INDEX ix_bench_raw_mod ON bench_raw_records (connection_id, model, updated_at)");
        if (postgres()) {
            // and the same storage parameters (V46: fillfactor 50), which CREATE TABLE … AS does not copy
            String options = jdbc.getJdbcTemplate().queryForObject(
                    "SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = 'records'::regclass", String.class);
            if (options != null && !options.isBlank()) {
                jdbc.getJdbcTemplate().execute("ALTER TABLE bench_raw_records SET (" + options + ")");
            }
        }
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
