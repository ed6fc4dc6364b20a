package io.integrationhub.platform;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import io.integrationhub.HubApplication;
import io.integrationhub.platform.cluster.ClusterJobs;
import io.integrationhub.platform.resilience.ProviderHttp;
import io.integrationhub.platform.sync.SyncRunRepository;
import io.integrationhub.platform.sync.SyncSchedules;
import io.integrationhub.platform.sync.TestProviders;
import io.integrationhub.support.HubClient;

/**
 * Two hub instances (two application contexts in this JVM) on ONE PostgreSQL schema and ONE Kafka broker, as two
 * replicas run in production: same consumer groups, one clustered Quartz job store, one provider-budget table. A
 * HubSpot-shaped provider on WireMock counts what reaches it. Shows: a schedule fires once per period across both,
 * a run handed to both instances' workers is claimed once, a connection's request budget holds for both together,
 * and singleton jobs run on one instance per firing (subscription renewal on clustered Quartz) or period (the
 * timer jobs through {@link ClusterJobs}).
 */
class TwoInstancesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The connection budget both instances share: 4 requests a second, one every 250 ms. */
    private static final int LIMIT = 4;
    private static final Duration PERIOD = Duration.ofSeconds(1);

    static WireMockServer provider;
    static String schema;
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;
    static NamedParameterJdbcTemplate jdbc;
    static HubClient hubA;
    static HubClient hubB;
    static String adminToken;

    /**
     * camel-quartz finds the CamelContext of a fired job by the management name stored in the job
     * ({@code CamelQuartzCamelContext-<name>} in the scheduler context). Hub processes are all named
     * {@code integration-hub}, so any node runs any node's job; two contexts in one JVM are named
     * {@code integration-hub-N} each (JMX), and a job created by one would find no context on the other's scheduler
     * (seen as "No CamelContext could be found with name" when the other instance's scheduler took the trigger).
     * Each instance's scheduler also knows its own context under the other's name, as separate processes would.
     */
    private static void knowEachOthersCamelJobs(ConfigurableApplicationContext self, ConfigurableApplicationContext other)
            throws Exception {
        self.getBean(Scheduler.class).getContext().put(
                "CamelQuartzCamelContext-" + other.getBean(CamelContext.class).getManagementName(),
                self.getBean(CamelContext.class));
    }

    @BeforeAll
    static void startTwoInstances() throws Exception {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        schema = "it_two_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(dbUrl(), dbUser(), dbPassword()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String group = UUID.randomUUID().toString();
        a = start(group);   // migrates the schema
        b = start(group);
        knowEachOthersCamelJobs(a, b);
        knowEachOthersCamelJobs(b, a);
        jdbc = a.getBean(NamedParameterJdbcTemplate.class);
        hubA = new HubClient("http://localhost:" + port(a));
        hubB = new HubClient("http://localhost:" + port(b));
        adminToken = a.getEnvironment().getProperty("hub.admin-token");
    }

    private static ConfigurableApplicationContext start(String group) {
        return new SpringApplicationBuilder(HubApplication.class, TestProviders.class).profiles("test").run(
                "--server.port=0",
                // two hubs in one JVM: their MBeans (Hikari, Spring) must not collide
                "--spring.jmx.unique-names=true",
                "--hub.test.isolated-schema=false",
                // a manually triggered job is picked up within a second (Quartz idles up to 30 s by default)
                "--spring.quartz.properties.org.quartz.scheduler.idleWaitTime=1000",
                "--spring.datasource.hikari.schema=" + schema,
                // one Quartz cluster of the two, apart from the other test contexts of this JVM (see IsolatedSchema)
                "--spring.quartz.properties.org.quartz.scheduler.instanceName=integration-hub-" + schema,
                "--spring.flyway.schemas=" + schema,
                "--spring.flyway.default-schema=" + schema,
                "--hub.sync.consumer-group=two-sync-" + group,
                "--hub.webhooks.consumer-group=two-webhooks-" + group,
                "--test.provider.url=" + provider.baseUrl(),
                "--hub.providers.hubspot.api-url=" + provider.baseUrl(),
                "--hub.resilience.connection-budgets.hubspot.limit=" + LIMIT,
                "--hub.resilience.connection-budgets.hubspot.period=" + PERIOD);
    }

    @AfterAll
    static void stop() throws Exception {
        for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {b, a}) {
            if (c != null) {
                c.close();
            }
        }
        if (provider != null) {
            provider.stop();
        }
        try (Connection c = DriverManager.getConnection(dbUrl(), dbUser(), dbPassword()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static String dbUrl() {
        return System.getenv().getOrDefault("HUB_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    private static String dbUser() {
        return System.getenv().getOrDefault("HUB_TEST_DB_USER", "postgres");
    }

    private static String dbPassword() {
        return System.getenv().getOrDefault("HUB_TEST_DB_PASSWORD", "");
    }

    private static int port(ConfigurableApplicationContext c) {
        return Integer.parseInt(c.getEnvironment().getProperty("local.server.port"));
    }

    private record Tenant(UUID id, String key, UUID connectionId) {
    }

    /** A tenant created over HTTP, with an active HubSpot connection (inserted: the OAuth flow is not the point). */
    private static Tenant tenant() {
        HubClient.Response r = hubA.post("/api/v1/tenants", adminToken, "{\"name\":\"two-" + UUID.randomUUID() + "\"}");
        assertThat(r.status()).isEqualTo(201);
        UUID tenantId = UUID.fromString(r.json().path("id").asText());
        UUID connection = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO connections (id, tenant_id, provider, name, status, scopes, config, created_at, updated_at) "
                + "VALUES (:id, :t, 'hubspot', 'hubspot', 'active', '[]', '{}', :now, :now)",
                Map.of("id", connection, "t", tenantId, "now", now));
        return new Tenant(tenantId, r.json().path("apiKey").asText(), connection);
    }

    private static void contactPages(UUID connection, int pages) {
        for (int page = 0; page < pages; page++) {
            boolean more = page + 1 < pages;
            String body = "{\"results\":[{\"id\":\"" + connection + "-" + page + "\",\"properties\":{\"email\":\"p" + page
                    + "@example.com\"},\"updatedAt\":\"2026-02-01T10:00:00Z\",\"archived\":false}]"
                    + (more ? ",\"paging\":{\"next\":{\"after\":\"c" + (page + 1) + "\"}}" : "") + "}";
            provider.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                    .withQueryParam("after", page == 0 ? absent() : equalTo("c" + page))
                    .willReturn(okJson(body)));
        }
    }

    private static List<JsonNode> runs(Tenant t) {
        List<JsonNode> runs = new ArrayList<>();
        hubB.get("/api/v1/connections/" + t.connectionId() + "/syncs", t.key()).json().forEach(runs::add);
        return runs;
    }

    /** Both instances at once, each the given number of times; returns when all are done. */
    private static <T> List<T> onBoth(int each, java.util.function.Function<ConfigurableApplicationContext, T> call)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2 * each);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                for (ConfigurableApplicationContext c : List.of(a, b)) {
                    Callable<T> task = () -> {
                        go.await();
                        return call.apply(c);
                    };
                    futures.add(pool.submit(task));
                }
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldFireAScheduleOncePerPeriodAcrossBothInstances() throws Exception {
        Tenant t = tenant();
        contactPages(t.connectionId(), 1);
        // The schedule is set through instance B; instance A's ticks see it (it is a row, not a per-node job).
        assertThat(hubB.patch("/api/v1/connections/" + t.connectionId(), t.key(),
                "{\"config\":{\"schedules\":{\"contact\":\"PT1M\"}}}").status()).isEqualTo(200);
        long versionBefore = jdbc.queryForObject("SELECT version FROM sync_schedules WHERE connection_id = :c",
                Map.of("c", t.connectionId()), Long.class);
        // Its period passes ...
        jdbc.update("UPDATE sync_schedules SET next_fire_at = :now WHERE connection_id = :c",
                Map.of("now", System.currentTimeMillis(), "c", t.connectionId()));

        // ... and both instances fire what they see due at the same moment, besides the clustered Quartz ticks.
        onBoth(2, c -> {
            ProducerTemplate producer = c.getBean(CamelContext.class).createProducerTemplate();
            for (Map<String, Object> due : c.getBean(SyncSchedules.class).due()) {
                producer.requestBody("direct:sync.schedules.fire", due);
            }
            return null;
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<JsonNode> runs = runs(t);
            return runs.size() == 1 && runs.get(0).path("status").asText().equals("succeeded");
        });
        assertThat(runs(t).get(0).path("reason").asText()).isEqualTo("schedule");
        // one claim won: the row moved on by one firing, to the next period
        Map<String, Object> row = jdbc.queryForMap("SELECT version, next_fire_at FROM sync_schedules WHERE connection_id = :c",
                Map.of("c", t.connectionId()));
        assertThat(((Number) row.get("version")).longValue()).isEqualTo(versionBefore + 1);
        assertThat(((Number) row.get("next_fire_at")).longValue()).isGreaterThan(System.currentTimeMillis());
        // and exactly one request reached hub.sync.requests (everything in the outbox has been relayed)
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM outbox_events WHERE message_key = :k", Map.of("k", t.connectionId().toString()),
                Integer.class) == 0);
        assertThat(records("hub.sync.requests", t.connectionId().toString()).stream()
                .filter(r -> r.path("reason").asText().equals("schedule"))).hasSize(1);
        hubA.patch("/api/v1/connections/" + t.connectionId(), t.key(), "{\"config\":{\"schedules\":{\"contact\":null}}}");
    }

    @Test
    void shouldClaimARunHandedToBothInstancesOnce() throws Exception {
        Tenant t = tenant();
        provider.resetRequests();
        int pages = 3;
        contactPages(t.connectionId(), pages);
        SyncRunRepository runs = a.getBean(SyncRunRepository.class);
        UUID runId = runs.queue(t.id(), t.connectionId(), "contact", "pull", "full", null, null, "manual").id();

        // The same run reaches a worker of each instance at once (e.g. a request redelivered after a rebalance).
        onBoth(1, c -> {
            c.getBean(CamelContext.class).createProducerTemplate().sendBody("seda:sync.runs",
                    new SyncRunRepository.RunRef(t.id(), runId));
            return null;
        });

        await().atMost(Duration.ofSeconds(30))
                .until(() -> hubA.get("/api/v1/syncs/" + runId, t.key()).json().path("status").asText().equals("succeeded"));
        // one instance ran it: every page was fetched once, every record stored once
        provider.verify(1, getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts")).withQueryParam("after", absent()));
        for (int page = 1; page < pages; page++) {
            provider.verify(1, getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))
                    .withQueryParam("after", equalTo("c" + page)));
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM records WHERE connection_id = :c",
                Map.of("c", t.connectionId()), Integer.class)).isEqualTo(pages);
    }

    @Test
    void shouldKeepAConnectionsBudgetForBothInstancesTogether() throws Exception {
        Tenant t = tenant();
        provider.stubFor(get(urlPathEqualTo("/crm/v3/objects/owners")).willReturn(okJson("{\"results\":[]}")));
        int callsPerThread = 3;
        // One call on each instance first: an instance's first call opens its HTTP client and connection, which on a
        // busy machine delays that request's arrival by a good part of the period (not what is measured here).
        for (ConfigurableApplicationContext c : List.of(a, b)) {
            c.getBean(ProviderHttp.class).scope("hubspot", t.id(), t.connectionId()).send(token -> HttpRequest
                    .newBuilder(URI.create(provider.baseUrl() + "/crm/v3/objects/owners?warm-up=true"))
                    .header("Authorization", "Bearer " + token).GET().build());
        }

        // 2 threads on each instance, 3 calls each: 12 calls for one connection, as fast as the budget lets them.
        List<Integer> done = onBoth(2, c -> {
            ProviderHttp.Scope scope = c.getBean(ProviderHttp.class).scope("hubspot", t.id(), t.connectionId());
            for (int i = 0; i < callsPerThread; i++) {
                scope.send(token -> HttpRequest.newBuilder(URI.create(provider.baseUrl() + "/crm/v3/objects/owners"))
                        .header("Authorization", "Bearer " + token).GET().build());
            }
            return callsPerThread;
        });
        assertThat(done.stream().mapToInt(Integer::intValue).sum()).isEqualTo(12);

        // At the provider: never more than LIMIT requests within the period, less 200 ms for the delay between the
        // budget's grant and the request's arrival on a busy machine. Budgets per instance would fail this: two
        // instances each spacing their requests 250 ms apart put LIMIT + 1 requests within 750 ms or less.
        List<Long> arrivals = provider.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals("/crm/v3/objects/owners"))
                .map(ServeEvent::getRequest).map(r -> r.getLoggedDate().getTime()).sorted().toList();
        assertThat(arrivals).hasSize(12);
        long window = PERIOD.toMillis() - 200;
        for (int i = 0; i + LIMIT < arrivals.size(); i++) {
            assertThat(arrivals.get(i + LIMIT) - arrivals.get(i))
                    .as("%d requests within %d ms: %s", LIMIT + 1, window, arrivals).isGreaterThanOrEqualTo(window);
        }
    }

    @Test
    void shouldRunAQuartzSingletonJobOnOneInstancePerFiring() throws Exception {
        // Both instances are members of one Quartz cluster, which holds ONE renewal trigger, not one per instance.
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM qrtz_scheduler_state", Map.of(), Integer.class)).isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM qrtz_triggers WHERE trigger_name = 'subscription-renewal'",
                Map.of(), Integer.class)).isEqualTo(1);
        long before = renewals(a) + renewals(b);

        a.getBean(Scheduler.class).triggerJob(JobKey.jobKey("subscription-renewal", "webhooks"));

        await().atMost(Duration.ofSeconds(30)).until(() -> renewals(a) + renewals(b) > before
                && jdbc.queryForObject("SELECT COUNT(*) FROM qrtz_fired_triggers", Map.of(), Integer.class) == 0);
        assertThat(renewals(a) + renewals(b)).isEqualTo(before + 1);
    }

    @Test
    void shouldLetOneInstancePerPeriodRunATimerSingleton() throws Exception {
        // The sync sweep, webhook recovery and token keep-alive tick on every instance; their filter step asks
        // ClusterJobs whether this tick runs the job. Two ticks on each instance at the same moment: one runs it.
        String job = "two-instances-" + UUID.randomUUID();
        List<Boolean> runs = onBoth(2, c -> c.getBean(ClusterJobs.class).due(job, "1h"));
        assertThat(runs).containsOnlyOnce(true).hasSize(4);
        // and the next period is not due yet, on either instance
        assertThat(a.getBean(ClusterJobs.class).due(job, "1h")).isFalse();
        assertThat(b.getBean(ClusterJobs.class).due(job, "1h")).isFalse();
        // the hub's own singletons are claimed through the same table
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList("SELECT name FROM cluster_jobs", Map.of(),
                String.class).containsAll(List.of("sync.sweep", "webhooks.recovery")));
    }

    private static long renewals(ConfigurableApplicationContext c) {
        try {
            return c.getBean(CamelContext.class).getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                    .getManagedRoute("webhooks.subscriptions.renewal").getExchangesCompleted();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every record of the topic with this key, read to the end offsets as they are now. */
    private static List<JsonNode> records(String topic, String key) throws Exception {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.getEnvironment().getProperty("hub.kafka.bootstrap-servers"),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<JsonNode> found = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        found.add(JSON.readTree(r.value()));
                    }
                }
            }
            return found;
        }
    }
}
