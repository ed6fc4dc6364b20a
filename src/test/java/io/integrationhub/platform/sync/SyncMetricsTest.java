package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Prometheus counts the CloudEvents a sync publishes: the exchange timer of {@code kafka://hub.syncs} (sent by
 * a ProducerTemplate, outside any route) is registered next to the timers of route exchanges.
 */
class SyncMetricsTest extends SyncTestBase {

    @Test
    void shouldTimeTheSyncEventsSentToKafkaNextToRouteExchanges() {
        Tenant t = tenantWith("hubspot");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                .willReturn(okJson("{\"results\":[" + SyncRunsTest.contact("1", "m1@example.com", "2026-02-01T10:00:00Z") + "]}")));
        awaitStatus(t, startSync(t, "{\"entity\":\"contact\"}"), "succeeded");

        String metrics = hub.get("/actuator/prometheus", null).body();
        List<String> timers = metrics.lines().filter(l -> l.startsWith("camel_exchange_event_notifier_seconds_count{")).toList();
        assertThat(timers).as("sync events on hub.syncs are timed")
                .anyMatch(l -> l.contains("endpointName=\"kafka://hub.syncs\"") && l.contains("eventType=\"ExchangeSentEvent\""));
        assertThat(timers).as("route exchanges are still timed, with their route")
                .anyMatch(l -> l.contains("routeId=\"sync.dispatch\""));
    }
}
