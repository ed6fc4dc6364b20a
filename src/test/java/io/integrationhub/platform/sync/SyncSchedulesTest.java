package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;

/** config.schedules become Quartz jobs that follow the connection's config and status. */
class SyncSchedulesTest extends SyncTestBase {

    @Autowired
    Scheduler scheduler;

    @Autowired
    ConnectionService connections;

    private Trigger trigger(Tenant t, String entity) throws Exception {
        return scheduler.getTrigger(TriggerKey.triggerKey(t.connectionId() + ":" + entity, SyncSchedules.GROUP));
    }

    @Test
    void shouldCreateChangeAndRemoveJobsWithTheConnectionsConfig() throws Exception {
        Tenant t = tenantWith("hubspot");
        String path = "/api/v1/connections/" + t.connectionId();
        assertThat(hub.patch(path, t.key(), "{\"config\":{\"schedules\":{\"contact\":\"PT15M\",\"deal\":\"0 0 3 * * ?\"}}}")
                .status()).isEqualTo(200);
        assertThat(trigger(t, "contact")).isInstanceOfSatisfying(SimpleTrigger.class,
                s -> assertThat(s.getRepeatInterval()).isEqualTo(Duration.ofMinutes(15).toMillis()));
        assertThat(trigger(t, "deal")).isInstanceOfSatisfying(CronTrigger.class,
                c -> assertThat(c.getCronExpression()).isEqualTo("0 0 3 * * ?"));

        hub.patch(path, t.key(), "{\"config\":{\"schedules\":{\"contact\":\"PT30M\",\"deal\":null}}}");
        assertThat(((SimpleTrigger) trigger(t, "contact")).getRepeatInterval()).isEqualTo(Duration.ofMinutes(30).toMillis());
        assertThat(trigger(t, "deal")).isNull();
    }

    @Test
    void shouldQueueAnIncrementalRunWhenTheScheduleFires() throws Exception {
        Tenant t = tenantWith("hubspot");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(okJson("{\"results\":["
                + SyncRunsTest.contact("1", "s@example.com", "2026-01-01T00:00:00Z") + "]}")));
        hub.patch("/api/v1/connections/" + t.connectionId(), t.key(), "{\"config\":{\"schedules\":{\"contact\":\"PT1M\"}}}");

        scheduler.triggerJob(JobKey.jobKey(t.connectionId() + ":contact", SyncSchedules.GROUP));

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode log = hub.get("/api/v1/connections/" + t.connectionId() + "/syncs", t.key()).json();
            return log.size() == 1 && log.get(0).path("status").asText().equals("succeeded");
        });
        JsonNode run = hub.get("/api/v1/connections/" + t.connectionId() + "/syncs", t.key()).json().get(0);
        assertThat(run.path("reason").asText()).isEqualTo("schedule");
        assertThat(run.path("mode").asText()).isEqualTo("incremental");
        assertThat(liveRecords(t, "contact")).isEqualTo(1);
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
        TriggerKey key = TriggerKey.triggerKey(t.connectionId() + ":contact", SyncSchedules.GROUP);

        connections.changeStatus(t.id(), connections.get(t.id(), t.connectionId()), ConnectionStatus.REAUTH_REQUIRED, "x");
        assertThat(scheduler.getTriggerState(key)).isEqualTo(Trigger.TriggerState.PAUSED);

        connections.changeStatus(t.id(), connections.get(t.id(), t.connectionId()), ConnectionStatus.ACTIVE, null);
        assertThat(scheduler.getTriggerState(key)).isEqualTo(Trigger.TriggerState.NORMAL);

        assertThat(hub.delete("/api/v1/connections/" + t.connectionId(), t.key()).status()).isEqualTo(200);
        assertThat(scheduler.checkExists(key)).isFalse();
        assertThat(jdbc.queryForObject("SELECT status FROM connections WHERE id = :id", Map.of("id", t.connectionId()),
                String.class)).isEqualTo("disconnected");
    }
}
