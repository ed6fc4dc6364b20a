package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.integrationhub.support.HubClient;

/**
 * The hub with its Kafka down (issue 15 item 12): nothing listens at the bootstrap address. A signed webhook must
 * not hold a web thread for the producer's default 60 s metadata wait. Since ingest writes the event and its hand-off
 * to the transactional outbox in one transaction, Kafka is not on the way at all: the webhook is answered {@code 200}
 * within seconds, the event is kept (inbox row {@code queued}, its outbox row waiting), and the relay sends it once
 * Kafka is back.
 */
@TestPropertySource(properties = {
        "hub.kafka.embedded.enabled=false",
        // The discard port: nothing listens there, connections are refused.
        "hub.kafka.bootstrap-servers=127.0.0.1:9",
        // Recovery must not publish (and block) in the background of this test.
        "hub.webhooks.recovery-interval=1h",
        "hub.webhooks.recovery-min-age=1h" })
class WebhookKafkaOutageTest extends WebhookIntegrationTest {

    @Test
    void shouldAcknowledgeWithinSecondsAndKeepTheEventForTheRelay() throws Exception {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);

        long started = System.nanoTime();
        HubClient.Response answer = xero(creditNote(xeroTenant));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.status()).isEqualTo(200);
        // Generous: the ingest is one database transaction; the producer's default wait would be 60 s.
        assertThat(took).isLessThan(Duration.ofSeconds(20));
        List<Map<String, Object>> rows = rows(connection);
        assertThat(rows).singleElement().satisfies(row -> assertThat(row.get("status")).isEqualTo("queued"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM outbox_events WHERE topic = 'hub.webhooks.xero' AND message_key = ?",
                Long.class, connection.toString())).as("the hand-off waits in the outbox").isEqualTo(1L);
    }

    @Test
    void shouldKeepServingTheApiAndLivenessWhileManyWebhooksArriveDuringTheOutage() throws Exception {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);
        ExecutorService providers = Executors.newFixedThreadPool(16);
        try {
            List<Future<HubClient.Response>> deliveries = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                deliveries.add(providers.submit(() -> xero(creditNote(xeroTenant))));
            }
            // Webhooks and API calls share the same request-processing threads: the API must still be served.
            Thread.sleep(500);
            HubClient.Response api = hub.get("/api/v1/webhook-events?provider=xero", tenant.apiKey());
            assertThat(api.status()).isEqualTo(200);
            HubClient.Response liveness = hub.get("/actuator/health/liveness", null);
            assertThat(liveness.status()).isEqualTo(200);
            for (Future<HubClient.Response> d : deliveries) {
                HubClient.Response r = d.get();
                assertThat(r.status()).isEqualTo(200);
            }
        } finally {
            providers.shutdownNow();
        }
        assertThat(rows(connection)).hasSize(16);
    }
}
