package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Prometheus keeps the exchange timers of sends made outside any route (a ProducerTemplate: the sync engine's
 * hand-offs, family route calls) next to the timers of route exchanges — before, their different tag keys made the
 * registry drop them. (Sync events themselves now leave through the outbox relay route, timed with that route.)
 */
class SyncMetricsTest extends SyncTestBase {

    @org.springframework.beans.factory.annotation.Autowired
    org.apache.camel.ProducerTemplate producer;

    @Test
    void shouldTimeTheSyncEventsSentToKafkaNextToRouteExchanges() {
        Tenant t = tenantWith("hubspot");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                .willReturn(okJson("{\"results\":[" + SyncRunsTest.contact("1", "m1@example.com", "2026-02-01T10:00:00Z") + "]}")));
        awaitStatus(t, startSync(t, "{\"entity\":\"contact\"}"), "succeeded");
        // A send outside any route, as a ProducerTemplate in a bean makes it (e.g. the kit calling a family route).
        producer.sendBody("log:metrics-test?level=DEBUG", "outside a route");

        String metrics = hub.get("/actuator/prometheus", null).body();
        List<String> timers = metrics.lines().filter(l -> l.startsWith("camel_exchange_event_notifier_seconds_count{")).toList();
        assertThat(timers).as("sends from outside a route are timed, with an empty routeId")
                .anyMatch(l -> l.contains("endpointName=\"log://metrics-test\"") && l.contains("eventType=\"ExchangeSentEvent\"")
                        && l.contains("routeId=\"\""));
        assertThat(timers).as("route exchanges are still timed, with their route")
                .anyMatch(l -> l.contains("routeId=\"sync.dispatch\""));
    }
}
