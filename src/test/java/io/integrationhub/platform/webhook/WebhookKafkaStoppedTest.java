package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.integrationhub.platform.kafka.EmbeddedKafkaServer;
import io.integrationhub.support.HubClient;

/**
 * The hub's Kafka stops while the hub runs (issue 15 item 12): the producer already knows the topic, so a send is
 * not held by {@code max.block.ms} but by {@code delivery.timeout.ms} (120 s by default). The webhook is still
 * answered {@code 503} with {@code Retry-After} within seconds, and its event stays in the inbox.
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

    @AfterAll
    static void stopBroker() {
        BROKER.close();
    }

    @Test
    void shouldAnswer503WithRetryAfterWithinSecondsOnceTheBrokerStopsAndKeepTheEvent() {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);
        assertThat(xero(xeroEvent(xeroTenant, unique())).status()).isEqualTo(200);

        BROKER.stop();
        long started = System.nanoTime();
        HubClient.Response answer = xero(xeroEvent(xeroTenant, unique()));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.header("Retry-After")).isEqualTo("30");
        // Generous: the bound is a few seconds; the producer's default delivery timeout is 120.
        assertThat(took).isLessThan(Duration.ofSeconds(20));
        List<Map<String, Object>> rows = rows(connection);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get("status")).isEqualTo("received");
    }
}
