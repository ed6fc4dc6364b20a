package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.integrationhub.platform.kafka.BoundedCloseKafkaClientFactory;
import io.integrationhub.platform.kafka.EmbeddedKafkaServer;
import io.integrationhub.support.HubClient;

/**
 * The hub's Kafka stops while the hub runs (issue 15 item 12): a send would be held by {@code delivery.timeout.ms}
 * (120 s by default), but ingest no longer sends: the webhook is answered {@code 200} within seconds and its event
 * waits in the transactional outbox for the relay. The context is closed after the class with the broker gone: the
 * relay's idempotent producer must close within its bound (BoundedCloseKafkaClientFactory), or the suite hangs here.
 */
@TestPropertySource(properties = {
        "hub.kafka.embedded.enabled=false",
        "hub.webhooks.recovery-interval=1h",
        "hub.webhooks.recovery-min-age=1h" })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WebhookKafkaStoppedTest extends WebhookIntegrationTest {

    /** This class's own broker, so stopping it leaves every other test context's broker alone. */
    private static final EmbeddedKafkaServer BROKER;

    static {
        try {
            BROKER = new EmbeddedKafkaServer(Files.createTempDirectory("hub-kafka-stopped"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        BROKER.start();
    }

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("hub.kafka.bootstrap-servers", BROKER::bootstrapServers);
    }

    @Autowired
    CamelContext camel;

    @AfterAll
    static void stopBroker() {
        BROKER.close();
    }

    @Test
    void shouldAcknowledgeWithinSecondsOnceTheBrokerStopsAndKeepTheEventInTheOutbox() {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);
        assertThat(xero(creditNote(xeroTenant)).status()).isEqualTo(200);

        BROKER.stop();
        long started = System.nanoTime();
        HubClient.Response answer = xero(creditNote(xeroTenant));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.status()).isEqualTo(200);
        // Generous: the ingest is one database transaction; the producer's default delivery timeout is 120 s.
        assertThat(took).isLessThan(Duration.ofSeconds(20));
        List<Map<String, Object>> rows = rows(connection);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get("status")).isEqualTo("queued");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM outbox_events WHERE event_id = ?", Long.class,
                rows.get(1).get("id"))).as("the second event waits in the outbox").isEqualTo(1L);
        // camel-kafka's own producers wait for ever in close() once the broker is gone (this class's context closes so)
        assertThat(camel.getComponent("kafka", KafkaComponent.class).getKafkaClientFactory())
                .isInstanceOf(BoundedCloseKafkaClientFactory.class);
    }
}
