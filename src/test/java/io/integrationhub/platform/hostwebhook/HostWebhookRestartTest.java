package io.integrationhub.platform.hostwebhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.HubApplication;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.support.HookReceiver;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.StandardWebhooksVerifier;

/**
 * A hub restart in the middle of a delivery's retry schedule loses nothing: the receiver fails the first two
 * attempts, the hub is stopped, the receiver recovers, and a new hub on the same database schema sends the same
 * message (same {@code webhook-id}, valid signature) on the rest of the schedule and marks it delivered.
 * Retry schedule here: 0 s, 1 s, then 20 s (room for the restart), 20 s, 20 s.
 */
class HostWebhookRestartTest {

    private static final String ADMIN = "test-admin-token-0123456789abcdef";

    @Test
    void shouldDeliverAfterARestartInTheMiddleOfTheRetrySchedule() {
        try (HookReceiver receiver = new HookReceiver(n -> 500)) {
            String schema;
            String key;
            String secret;
            String endpointId;
            String messageId;
            try (ConfigurableApplicationContext first = start()) {
                schema = first.getEnvironment().getRequiredProperty("hub.test.schema");
                HubClient hub = client(first);
                JsonNode tenant = hub.post("/api/v1/tenants", ADMIN, "{\"name\":\"restart-" + UUID.randomUUID() + "\"}").json();
                key = tenant.path("apiKey").asText();
                HubClient.Response created = hub.post("/api/v1/webhook-endpoints", key,
                        "{\"url\":\"" + receiver.url() + "\",\"events\":[\"*\"]}");
                assertThat(created.status()).isEqualTo(201);
                secret = created.json().path("secret").asText();
                endpointId = created.json().path("id").asText();
                UUID connection = first.getBean(ConnectionRepository.class).insert(UUID.fromString(tenant.path("id").asText()),
                        "square", "square account", ConnectionStatus.ACTIVE, List.of("a"),
                        first.getBean(ObjectMapper.class).createObjectNode()).id();
                assertThat(hub.delete("/api/v1/connections/" + connection, key).status()).isEqualTo(200);

                List<HookReceiver.Received> failed = receiver.await(2);
                messageId = failed.get(0).header("webhook-id");
            }
            // stopped before its schedule ran out (2 attempts made; a slow stop may have let the third one through)
            int beforeRestart = receiver.received().size();
            assertThat(beforeRestart).isBetween(2, 3);
            receiver.answer(n -> 200);

            try (ConfigurableApplicationContext second = start("--hub.test.isolated-schema=false",
                    "--spring.datasource.hikari.schema=" + schema, "--spring.flyway.schemas=" + schema,
                    "--spring.flyway.default-schema=" + schema, "--hub.test.schema=" + schema)) {
                HookReceiver.Received after = receiver.await(beforeRestart + 1).get(beforeRestart);
                assertThat(after.header("webhook-id")).isEqualTo(messageId);
                assertThat(StandardWebhooksVerifier.verifies(secret, after.header("webhook-id"), after.header("webhook-timestamp"),
                        after.body(), after.header("webhook-signature"))).isTrue();
                HubClient hub = client(second);
                JsonNode delivery = null;
                for (int i = 0; i < 600; i++) {
                    delivery = hub.get("/api/v1/webhook-endpoints/" + endpointId + "/deliveries", key).json().path("deliveries").get(0);
                    if (delivery.path("status").asText().equals("delivered")) {
                        break;
                    }
                    sleep();
                }
                assertThat(delivery.path("status").asText()).isEqualTo("delivered");
                List<Integer> codes = new ArrayList<>();
                delivery.path("attempts").forEach(a -> codes.add(a.path("statusCode").asInt()));
                assertThat(codes).hasSize(beforeRestart + 1).endsWith(200).startsWith(500, 500);
                assertThat(receiver.received()).hasSize(beforeRestart + 1);
            }
        }
    }

    private static ConfigurableApplicationContext start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--spring.profiles.active=test", "--server.port=0",
                "--hub.host-webhooks.retry-schedule=0s,1s,20s,20s,20s"));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(HubApplication.class).run(args.toArray(String[]::new));
    }

    private static HubClient client(ConfigurableApplicationContext context) {
        return new HubClient("http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
