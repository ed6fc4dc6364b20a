package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.impl.matchers.GroupMatcher;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;

/**
 * config.schedules become rows of sync_schedules (fired by route sync.schedules.tick on the clustered Quartz
 * scheduler) that follow the connection's config and status.
 */
class SyncSchedulesTest extends SyncTestBase {

    @Autowired
    Scheduler scheduler;

    @Autowired
    SyncSchedules schedules;

    @Autowired
    ConnectionService connections;

    private SyncSchedules.Schedule schedule(Tenant t, String entity) {
        return schedules.schedulesOf(t.connectionId()).stream().filter(s -> s.entity().equals(entity)).findFirst()
                .orElse(null);
    }

    /** As if the schedule's period had passed: its next firing is now. */
    private void makeDue(Tenant t, String entity) {
        jdbc.update("UPDATE sync_schedules SET next_fire_at = :now WHERE connection_id = :c AND entity = :e",
                Map.of("now", System.currentTimeMillis(), "c", t.connectionId(), "e", entity));
    }

    @Test
    void shouldCreateChangeAndRemoveJobsWithTheConnectionsConfig() throws Exception {
        Tenant t = tenantWith("hubspot");
        String path = "/api/v1/connections/" + t.connectionId();
        assertThat(hub.patch(path, t.key(), "{\"config\":{\"schedules\":{\"contact\":\"PT15M\",\"deal\":\"0 0 3 * * ?\"}}}")
                .status()).isEqualTo(200);
        long patched = System.currentTimeMillis();
        assertThat(Duration.parse(schedule(t, "contact").expression())).isEqualTo(Duration.ofMinutes(15));
        assertThat(schedule(t, "contact").nextFireAt() - patched).isBetween(Duration.ofMinutes(14).toMillis(),
                Duration.ofMinutes(15).toMillis());
        assertThat(schedule(t, "deal").expression()).isEqualTo("0 0 3 * * ?");
        assertThat(SyncSchedules.nextFire("0 0 3 * * ?", null, schedule(t, "deal").nextFireAt() - 1))
                .isEqualTo(schedule(t, "deal").nextFireAt());

        hub.patch(path, t.key(), "{\"config\":{\"schedules\":{\"contact\":\"PT30M\",\"deal\":null}}}");
        assertThat(Duration.parse(schedule(t, "contact").expression())).isEqualTo(Duration.ofMinutes(30));
        assertThat(schedule(t, "deal")).isNull();
        // nothing is left in Quartz's own tables: one platform route fires every schedule
        assertThat(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(SyncSchedules.LEGACY_GROUP))).isEmpty();
    }

    @Test
    void shouldQueueAnIncrementalRunWhenTheScheduleFires() throws Exception {
        Tenant t = tenantWith("hubspot");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(okJson("{\"results\":["
                + SyncRunsTest.contact("1", "s@example.com", "2026-01-01T00:00:00Z") + "]}")));
        hub.patch("/api/v1/connections/" + t.connectionId(), t.key(), "{\"config\":{\"schedules\":{\"contact\":\"PT1M\"}}}");

        long scheduled = System.currentTimeMillis();
        makeDue(t, "contact");

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode log = hub.get("/api/v1/connections/" + t.connectionId() + "/syncs", t.key()).json();
            return log.size() == 1 && log.get(0).path("status").asText().equals("succeeded");
        });
        JsonNode run = hub.get("/api/v1/connections/" + t.connectionId() + "/syncs", t.key()).json().get(0);
        assertThat(run.path("reason").asText()).isEqualTo("schedule");
        assertThat(run.path("mode").asText()).isEqualTo("incremental");
        assertThat(liveRecords(t, "contact")).isEqualTo(1);
        assertThat(schedule(t, "contact").lastFiredAt()).isNotNull();
        assertThat(schedule(t, "contact").nextFireAt()).isGreaterThan(scheduled);
    }

    @Autowired
    io.integrationhub.platform.webhook.subscription.SyncRequests webhookSyncRequests;

    /** Webhook lifecycle and hub-outage requests are CloudEvents on hub.sync.requests; the engine runs them. */
    @Test
    void shouldRunTheIncrementalSyncAWebhookCloudEventAsksFor() {
        Tenant t = tenantWith("hubspot");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(okJson("{\"results\":["
                + SyncRunsTest.contact("1", "o@example.com", "2026-01-01T00:00:00Z") + "]}")));

        webhookSyncRequests.requestIncremental(t.id(), t.connectionId(), "contact", "hub-outage");

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode log = hub.get("/api/v1/connections/" + t.connectionId() + "/syncs", t.key()).json();
            return log.size() == 1 && log.get(0).path("status").asText().equals("succeeded");
        });
        JsonNode run = hub.get("/api/v1/connections/" + t.connectionId() + "/syncs", t.key()).json().get(0);
        assertThat(run.path("reason").asText()).isEqualTo("hub-outage");
        assertThat(run.path("mode").asText()).isEqualTo("incremental");
        assertThat(liveRecords(t, "contact")).isEqualTo(1);
    }

    @Test
    void shouldPauseOnReauthRequiredResumeWhenActiveAndRemoveOnDisconnect() throws Exception {
        Tenant t = tenantWith("hubspot");
        hub.patch("/api/v1/connections/" + t.connectionId(), t.key(), "{\"config\":{\"schedules\":{\"contact\":\"PT5M\"}}}");

        connections.changeStatus(t.id(), connections.get(t.id(), t.connectionId()), ConnectionStatus.REAUTH_REQUIRED, "x");
        assertThat(schedule(t, "contact").paused()).isTrue();

        connections.changeStatus(t.id(), connections.get(t.id(), t.connectionId()), ConnectionStatus.ACTIVE, null);
        assertThat(schedule(t, "contact").paused()).isFalse();

        assertThat(hub.delete("/api/v1/connections/" + t.connectionId(), t.key()).status()).isEqualTo(200);
        assertThat(schedule(t, "contact")).isNull();
        assertThat(jdbc.queryForObject("SELECT status FROM connections WHERE id = :id", Map.of("id", t.connectionId()),
                String.class)).isEqualTo("disconnected");
    }

    /** A job of the old design created by an instance of an earlier version during a rolling upgrade is removed. */
    @Test
    void shouldRemoveQuartzJobsOfTheOldDesignAtStartUp() throws Exception {
        Tenant t = tenantWith("hubspot");
        org.quartz.JobKey legacy = org.quartz.JobKey.jobKey(t.connectionId() + ":contact", SyncSchedules.LEGACY_GROUP);
        scheduler.addJob(org.quartz.JobBuilder.newJob(OldScheduleJob.class).withIdentity(legacy).storeDurably()
                .build(), false);
        assertThat(scheduler.checkExists(legacy)).isTrue();

        schedules.start();

        assertThat(scheduler.checkExists(legacy)).isFalse();
    }

    /** Stands in for the removed job class of the old design (the job is never fired here). */
    public static class OldScheduleJob implements org.quartz.Job {
        @Override
        public void execute(org.quartz.JobExecutionContext context) {
        }
    }
}
