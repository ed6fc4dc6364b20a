package io.integrationhub.platform.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Route-level test of {@code camel/sync-schedules.camel.yaml}: the route file loaded as the hub loads it into a plain
 * CamelContext, with the real {@link SyncSchedules} steps on the hub's schema (Flyway, H2 in PostgreSQL mode as in the
 * zero-setup profile) and the request step woven to a mock. The Quartz consumer is replaced by a direct endpoint,
 * so "a tick" is a message sent by the test.
 */
class SyncSchedulesRouteTest extends CamelTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NamedParameterJdbcTemplate jdbc;
    private DataSource dataSource;
    private MockEndpoint requests;

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withUseAdviceWith(true);
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        dataSource = new SimpleDriverDataSource(new org.h2.Driver(), "jdbc:h2:mem:schedules-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration", "classpath:db/vendor/h2").load()
                .migrate();
        jdbc = new NamedParameterJdbcTemplate(dataSource);
        SyncProperties properties = new SyncProperties();
        context.getRegistry().bind("syncSchedules", new SyncSchedules(null, jdbc, properties, null));
        SpringTransactionPolicy tx = new SpringTransactionPolicy(new DataSourceTransactionManager(dataSource));
        tx.setPropagationBehaviorName("PROPAGATION_REQUIRES_NEW");
        context.getRegistry().bind("outboxTransaction", tx);
        return PluginHelper.getRoutesLoader(context).findRoutesBuilders(List.of(ResourceHelper.resolveMandatoryResource(
                context, "classpath:camel/sync-schedules.camel.yaml"))).toArray(RoutesBuilder[]::new);
    }

    @Override
    protected java.util.Properties useOverridePropertiesWithPropertiesComponent() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("hub.sync.schedules.tick-cron", "0 0 0 1 1 ? 2099");
        return p;
    }

    @BeforeEach
    void weave() throws Exception {
        AdviceWith.adviceWith(context, "sync.schedules.tick", r -> r.replaceFromWith("direct:tick"));
        AdviceWith.adviceWith(context, "sync.schedules.fire",
                r -> r.weaveById("sync.schedules.dispatch").replace().to("mock:requests"));
        context.start();
        requests = getMockEndpoint("mock:requests");
    }

    private UUID connection(String entity, String expression, long nextFireAt) {
        UUID tenant = UUID.randomUUID();
        UUID connection = UUID.randomUUID();
        jdbc.update("INSERT INTO tenants (id, name, created_at) VALUES (:id, :n, CURRENT_TIMESTAMP)",
                Map.of("id", tenant, "n", "t-" + tenant));
        jdbc.update("INSERT INTO connections (id, tenant_id, provider, name, status, created_at, updated_at) "
                + "VALUES (:id, :t, 'hubspot', 'c', 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                Map.of("id", connection, "t", tenant));
        jdbc.update("INSERT INTO sync_schedules (connection_id, entity, tenant_id, expression, next_fire_at) "
                + "VALUES (:c, :e, :t, :x, :n)", Map.of("c", connection, "e", entity, "t", tenant, "x", expression,
                        "n", nextFireAt));
        return connection;
    }

    private long nextFireAt(UUID connection) {
        return jdbc.queryForObject("SELECT next_fire_at FROM sync_schedules WHERE connection_id = :c",
                Map.of("c", connection), Long.class);
    }

    @Test
    void shouldRequestAnIncrementalRunForEachDueScheduleAndMoveItToItsNextPeriod() throws Exception {
        long now = System.currentTimeMillis();
        UUID due = connection("contact", "PT15M", now - 1_000);
        UUID later = connection("deal", "PT15M", now + Duration.ofMinutes(10).toMillis());
        requests.expectedMessageCount(1);

        template.sendBody("direct:tick", null);

        requests.assertIsSatisfied();
        JsonNode request = JSON.readTree(requests.getExchanges().get(0).getMessage().getBody(String.class));
        assertThat(request.path("connectionId").asText()).isEqualTo(due.toString());
        assertThat(request.path("entity").asText()).isEqualTo("contact");
        assertThat(request.path("mode").asText()).isEqualTo("incremental");
        assertThat(request.path("reason").asText()).isEqualTo("schedule");
        assertThat(requests.getExchanges().get(0).getMessage().getHeader(KafkaConstants.KEY)).isEqualTo(due.toString());
        // the next firing keeps the rhythm: one period after the one that fired
        assertThat(nextFireAt(due)).isEqualTo(now - 1_000 + Duration.ofMinutes(15).toMillis());
        assertThat(nextFireAt(later)).isEqualTo(now + Duration.ofMinutes(10).toMillis());
    }

    @Test
    void shouldFireAScheduleMissedForManyPeriodsOnceAndThenFromNow() throws Exception {
        long now = System.currentTimeMillis();
        UUID missed = connection("contact", "PT1M", now - Duration.ofHours(3).toMillis());
        requests.expectedMessageCount(1);

        template.sendBody("direct:tick", null);
        template.sendBody("direct:tick", null);

        requests.assertIsSatisfied();
        assertThat(nextFireAt(missed)).isGreaterThanOrEqualTo(now + Duration.ofMinutes(1).toMillis());
    }

    @Test
    void shouldLetOnlyOneOfTwoTicksThatReadTheSameDueScheduleFireIt() throws Exception {
        UUID due = connection("contact", "0 0/5 * * * ?", System.currentTimeMillis() - 1_000);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> read = context.getRegistry().lookupByNameAndType("syncSchedules", SyncSchedules.class)
                .due();
        assertThat(read).hasSize(1);

        // Two nodes' ticks both read the row before either claimed it, then fire it at the same moment.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Object>> fired = List.of(
                    pool.submit(() -> { start.await(); return template.requestBody("direct:sync.schedules.fire", read.get(0)); }),
                    pool.submit(() -> { start.await(); return template.requestBody("direct:sync.schedules.fire", read.get(0)); }));
            start.countDown();
            for (Future<Object> f : fired) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        requests.expectedMessageCount(1);
        requests.assertIsSatisfied();
        assertThat(nextFireAt(due)).isGreaterThan(System.currentTimeMillis());
    }

    @Test
    void shouldLeaveTheScheduleDueWhenItsRequestCannotBeWritten() throws Exception {
        long scheduled = System.currentTimeMillis() - 1_000;
        UUID due = connection("contact", "PT15M", scheduled);
        java.util.concurrent.atomic.AtomicBoolean outboxDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        requests.whenAnyExchangeReceived(e -> {
            if (outboxDown.get()) {
                throw new IllegalStateException("outbox unavailable");
            }
        });

        template.send("direct:tick", e -> { });
        assertThat(nextFireAt(due)).isEqualTo(scheduled);

        outboxDown.set(false);
        template.sendBody("direct:tick", null);
        assertThat(nextFireAt(due)).isGreaterThan(scheduled);
    }

    /** V32 moves the Quartz jobs of the old design (group hub-sync) into rows, keeping each one's next firing. */
    @Test
    void shouldMigrateTheQuartzJobsOfEarlierVersionsKeepingTheirNextFiring() {
        DataSource old = new SimpleDriverDataSource(new org.h2.Driver(), "jdbc:h2:mem:schedules-old-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(old).locations("classpath:db/migration", "classpath:db/vendor/h2").target("31").load()
                .migrate();
        NamedParameterJdbcTemplate db = new NamedParameterJdbcTemplate(old);
        UUID tenant = UUID.randomUUID();
        UUID connection = UUID.randomUUID();
        db.update("INSERT INTO tenants (id, name, created_at) VALUES (:id, 'old', CURRENT_TIMESTAMP)", Map.of("id", tenant));
        db.update("INSERT INTO connections (id, tenant_id, provider, name, status, created_at, updated_at) "
                + "VALUES (:id, :t, 'hubspot', 'c', 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                Map.of("id", connection, "t", tenant));
        long next = System.currentTimeMillis() + 123_456;
        for (String[] job : new String[][] {{"contact", "SIMPLE"}, {"deal", "CRON"}}) {
            Map<String, Object> p = Map.of("n", connection + ":" + job[0], "type", job[1], "next", next);
            db.update("INSERT INTO qrtz_job_details (sched_name, job_name, job_group, job_class_name, is_durable, "
                    + "is_nonconcurrent, is_update_data, requests_recovery) VALUES ('integration-hub', :n, 'hub-sync', "
                    + "'io.integrationhub.platform.sync.ScheduledSyncJob', FALSE, TRUE, FALSE, FALSE)", p);
            db.update("INSERT INTO qrtz_triggers (sched_name, trigger_name, trigger_group, job_name, job_group, "
                    + "next_fire_time, trigger_state, trigger_type, start_time) VALUES ('integration-hub', :n, 'hub-sync', "
                    + ":n, 'hub-sync', :next, 'WAITING', :type, 0)", p);
        }
        db.update("INSERT INTO qrtz_simple_triggers (sched_name, trigger_name, trigger_group, repeat_count, repeat_interval, "
                + "times_triggered) VALUES ('integration-hub', :n, 'hub-sync', -1, 900000, 3)",
                Map.of("n", connection + ":contact"));
        db.update("INSERT INTO qrtz_cron_triggers (sched_name, trigger_name, trigger_group, cron_expression, time_zone_id) "
                + "VALUES ('integration-hub', :n, 'hub-sync', '0 0 3 * * ?', 'UTC')", Map.of("n", connection + ":deal"));

        Flyway.configure().dataSource(old).locations("classpath:db/migration", "classpath:db/vendor/h2").load().migrate();

        List<Map<String, Object>> rows = db.queryForList("SELECT entity, tenant_id, expression, next_fire_at, paused "
                + "FROM sync_schedules WHERE connection_id = :c ORDER BY entity", Map.of("c", connection));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("entity", "contact").containsEntry("expression", "PT900S")
                .containsEntry("next_fire_at", next).containsEntry("tenant_id", tenant).containsEntry("paused", false);
        assertThat(SyncSchedules.sameSchedule("PT900S", "PT15M")).isTrue();
        assertThat(rows.get(1)).containsEntry("entity", "deal").containsEntry("expression", "0 0 3 * * ?")
                .containsEntry("next_fire_at", next);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM qrtz_triggers WHERE trigger_group = 'hub-sync'", Map.of(),
                Integer.class)).isZero();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM qrtz_job_details WHERE job_group = 'hub-sync'", Map.of(),
                Integer.class)).isZero();
    }
}
