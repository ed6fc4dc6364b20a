package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.CamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Webhook acknowledgement does not wait for Kafka: with the outbox relay stopped (nothing reaches the
 * broker, as during an outage) a signed webhook is still answered 200, stays queued with its event in the
 * outbox (visible in readiness and metrics), and is processed exactly once when the relay runs again.
 */
class WebhookOutboxTest extends WebhookIntegrationTest {

    @Autowired
    CamelContext camel;

    @Test
    void shouldAcknowledgeWhileNothingReachesKafkaAndProcessOnceItDoesAgain() throws Exception {
        Tenant tenant = tenant();
        String merchant = "M" + unique().substring(0, 8);
        UUID connection = connection(tenant, "square", merchant);

        camel.getRouteController().stopRoute("outbox.relay");
        try {
            assertThat(square(squareEvent(merchant, unique())).status()).isEqualTo(200);
            Map<String, Object> row = rows(connection).get(0);
            assertThat(row.get("status")).isEqualTo("queued");
            String id = row.get("id").toString();
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_events WHERE event_id = ?", Integer.class,
                    UUID.fromString(id))).isEqualTo(1);

            // Ops see the backlog: readiness detail (still UP: a small lag is no reason to take the hub out) and metrics.
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                var readiness = hub.get("/actuator/health/readiness", null);
                assertThat(readiness.status()).isEqualTo(200);
                JsonNode outbox = readiness.json().path("components").path("outbox");
                assertThat(outbox.path("status").asText()).isEqualTo("UP");
                assertThat(outbox.path("details").path("pendingEvents").asLong()).isPositive();
                assertThat(hub.get("/actuator/prometheus", null).body()).containsPattern("hub_outbox_pending_rows\\{[^}]*\\} [1-9]")
                        .contains("hub_outbox_lag_seconds");
            });
            assertThat(HANDLED.get(id)).isNull();
        } finally {
            camel.getRouteController().startRoute("outbox.relay");
        }

        Map<String, Object> row = awaitRows(connection, 1, "processed").get(0);
        String id = row.get("id").toString();
        assertThat(HANDLED.get(id)).isEqualTo(1);
        assertThat(row.get("delivery_count")).isEqualTo(1);
    }
}
