package io.integrationhub.platform.hostwebhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.events.EventPublisher;
import io.integrationhub.platform.tenancy.TenantService;
import io.integrationhub.platform.vault.CryptoProperties;
import io.integrationhub.platform.vault.KeyRing;
import io.integrationhub.platform.vault.Vault;
import io.integrationhub.support.HookReceiver;
import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;
import io.integrationhub.support.KafkaProbe;
import io.integrationhub.support.StandardWebhooksVerifier;

/**
 * Signed webhooks to a host application, driven over HTTP like a host: endpoints are created through the API,
 * events come from real hub activity (a connection disconnected through the API publishes
 * {@code connection.status_changed} through the outbox), and receivers are real HTTP servers on loopback
 * (allowed by {@code hub.host-webhooks.allowed-hosts} in the test profile) that verify every signature with
 * their own Standard Webhooks implementation. The test profile's retry schedule has 4 attempts, 300 ms apart.
 */
class HostWebhooksTest extends HubIntegrationTest {

    private static final String STATUS_CHANGED = "io.integrationhub.connection.status_changed";

    @Autowired
    ConnectionRepository connections;
    @Autowired
    TenantService tenants;
    @Autowired
    ObjectMapper mapper;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CamelContext camel;
    @Autowired
    EventPublisher events;
    @Autowired
    TransactionTemplate tx;
    @Value("${hub.kafka.bootstrap-servers}")
    String bootstrapServers;

    @Test
    void shouldDeliverTheKafkaCloudEventSignedAndShowTheSecretOnlyOnce() throws Exception {
        String key = newTenantKey();
        try (HookReceiver receiver = HookReceiver.answering(204)) {
            JsonNode endpoint = createEndpoint(key, receiver.url(), "[\"io.integrationhub.connection.*\"]");
            String secret = endpoint.path("secret").asText();
            assertThat(secret).startsWith("whsec_");

            UUID connection = connectionFor(key);
            JsonNode onKafka;
            try (KafkaProbe probe = new KafkaProbe(bootstrapServers, "hub.connections")) {
                disconnect(key, connection);
                onKafka = probe.await(connection.toString(), e -> true);
            }

            HookReceiver.Received delivery = receiver.await(1).get(0);
            assertThat(StandardWebhooksVerifier.verifies(secret, delivery.header("webhook-id"),
                    delivery.header("webhook-timestamp"), delivery.body(), delivery.header("webhook-signature"))).isTrue();
            assertThat(StandardWebhooksVerifier.verifies(secret, delivery.header("webhook-id"),
                    delivery.header("webhook-timestamp"), delivery.body() + " ", delivery.header("webhook-signature")))
                    .as("a changed body does not verify").isFalse();
            assertThat(delivery.header("content-type")).startsWith("application/cloudevents+json");
            JsonNode event = mapper.readTree(delivery.body());
            assertThat(event).isEqualTo(onKafka);
            assertThat(delivery.header("webhook-id")).isEqualTo(event.path("id").asText());
            assertThat(event.path("type").asText()).isEqualTo(STATUS_CHANGED);
            assertThat(event.path("data").path("status").asText()).isEqualTo("disconnected");

            String id = endpoint.path("id").asText();
            JsonNode delivered = awaitDelivery(key, id, d -> d.path("status").asText().equals("delivered"));
            assertThat(delivered.path("eventId").asText()).isEqualTo(event.path("id").asText());
            assertThat(delivered.path("attempts").get(0).path("statusCode").asInt()).isEqualTo(204);

            Response got = hub.get("/api/v1/webhook-endpoints/" + id, key);
            assertThat(got.status()).isEqualTo(200);
            assertThat(got.body()).doesNotContain(secret.substring(6)).doesNotContain("secret\"");
            Response list = hub.get("/api/v1/webhook-endpoints", key);
            assertThat(list.body()).doesNotContain(secret.substring(6));
            assertThat(list.json().path("endpoints")).hasSize(1);
        }
    }

    @Test
    void shouldRetryA500OnTheScheduleUntilA200AndThenCountItDelivered() {
        String key = newTenantKey();
        try (HookReceiver receiver = new HookReceiver(n -> n <= 3 ? 500 : 200)) {
            JsonNode endpoint = createEndpoint(key, receiver.url(), "[\"*\"]");
            disconnect(key, connectionFor(key));

            List<HookReceiver.Received> requests = receiver.await(4);
            assertThat(requests).extracting(r -> r.header("webhook-id")).containsOnly(requests.get(0).header("webhook-id"));
            assertThat(requests).allSatisfy(r -> assertThat(StandardWebhooksVerifier.verifies(endpoint.path("secret").asText(),
                    r.header("webhook-id"), r.header("webhook-timestamp"), r.body(), r.header("webhook-signature"))).isTrue());
            JsonNode delivery = awaitDelivery(key, endpoint.path("id").asText(),
                    d -> d.path("status").asText().equals("delivered"));
            assertThat(delivery.path("attemptCount").asInt()).isEqualTo(4);
            assertThat(delivery.path("attempts")).extracting(a -> a.path("statusCode").asInt()).containsExactly(500, 500, 500, 200);
            assertThat(delivery.path("attempts").get(0).path("error").asText()).isEqualTo("answered 500");
            assertThat(delivery.path("nextAttemptAt").isNull()).isTrue();
            assertThat(receiver.received()).hasSize(4);
            assertThat(hub.get("/api/v1/webhook-endpoints/" + endpoint.path("id").asText(), key).json().path("enabled")
                    .asBoolean()).isTrue();
        }
    }

    @Test
    void shouldDisableAnEndpointThatAnswers410AndTellTheTenantsOtherEndpoints() {
        String key = newTenantKey();
        try (HookReceiver gone = HookReceiver.answering(410); HookReceiver watcher = HookReceiver.answering(200)) {
            JsonNode endpoint = createEndpoint(key, gone.url(), "[\"" + STATUS_CHANGED + "\"]");
            JsonNode watching = createEndpoint(key, watcher.url(), "[\"io.integrationhub.webhook-endpoint.disabled\"]");
            disconnect(key, connectionFor(key));

            String id = endpoint.path("id").asText();
            JsonNode delivery = awaitDelivery(key, id, d -> d.path("status").asText().equals("failed"));
            assertThat(delivery.path("attemptCount").asInt()).as("410 is not retried").isEqualTo(1);
            assertThat(delivery.path("lastStatusCode").asInt()).isEqualTo(410);
            JsonNode after = awaitEndpoint(key, id, e -> !e.path("enabled").asBoolean());
            assertThat(after.path("disabledReason").asText()).contains("410");

            HookReceiver.Received notice = watcher.await(1).get(0);
            assertThat(StandardWebhooksVerifier.verifies(watching.path("secret").asText(), notice.header("webhook-id"),
                    notice.header("webhook-timestamp"), notice.body(), notice.header("webhook-signature"))).isTrue();
            JsonNode event = json(notice.body());
            assertThat(event.path("type").asText()).isEqualTo("io.integrationhub.webhook-endpoint.disabled");
            assertThat(event.path("data").path("endpointId").asText()).isEqualTo(id);

            // a disabled endpoint gets nothing new; a re-send waits until it is enabled again
            Response resend = hub.post("/api/v1/webhook-endpoints/" + id + "/deliveries/" + delivery.path("id").asText()
                    + "/resend", key, "");
            assertThat(resend.status()).isEqualTo(422);
            assertThat(resend.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void shouldDisableAnEndpointThatFailsTheWholeSchedule() {
        String key = newTenantKey();
        try (HookReceiver broken = HookReceiver.answering(503)) {
            JsonNode endpoint = createEndpoint(key, broken.url(), "[\"*\"]");
            disconnect(key, connectionFor(key));

            String id = endpoint.path("id").asText();
            JsonNode delivery = awaitDelivery(key, id, d -> d.path("status").asText().equals("failed"));
            assertThat(delivery.path("attemptCount").asInt()).isEqualTo(4);
            assertThat(broken.received()).hasSize(4);
            JsonNode after = awaitEndpoint(key, id, e -> !e.path("enabled").asBoolean());
            assertThat(after.path("disabledReason").asText()).contains("retry schedule");

            // enabled again by the tenant, the failed message can be re-sent and now arrives
            broken.answer(n -> 200);
            assertThat(hub.patch("/api/v1/webhook-endpoints/" + id, key, "{\"enabled\":true}").json().path("enabled").asBoolean())
                    .isTrue();
            Response resend = hub.post("/api/v1/webhook-endpoints/" + id + "/deliveries/" + delivery.path("id").asText()
                    + "/resend", key, "");
            assertThat(resend.status()).isEqualTo(202);
            // the same message (same webhook-id) a fifth time; the endpoint's own "disabled" notice may arrive too
            // when the relay fans it out after the endpoint was enabled again
            String messageId = broken.received().get(0).header("webhook-id");
            List<HookReceiver.Received> same = broken.await(r -> messageId.equals(r.header("webhook-id")), 5);
            assertThat(same).hasSize(5);
            JsonNode resent = awaitDelivery(key, id, d -> d.path("status").asText().equals("delivered"));
            assertThat(resent.path("attemptCount").asInt()).isEqualTo(5);
        }
    }

    @Test
    void shouldNotLetASlowEndpointDelayAnotherEndpointsDeliveries() throws Exception {
        String key = newTenantKey();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger slowAnswered = new AtomicInteger();
        try (HookReceiver slow = HookReceiver.answering(200); HookReceiver fast = HookReceiver.answering(200)) {
            // the slow host answers after 10 s (or when the test is done with it)
            slow.beforeAnswer(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                slowAnswered.incrementAndGet();
            });
            createEndpoint(key, slow.url(), "[\"*\"]");
            createEndpoint(key, fast.url(), "[\"*\"]");
            for (int i = 0; i < 3; i++) {
                disconnect(key, connectionFor(key));
            }

            // the slow host holds a request (the dispatcher may reach either endpoint first) ...
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(8))
                    .until(() -> !slow.received().isEmpty());
            // ... while the other endpoint gets all three messages
            List<HookReceiver.Received> fastGot = fast.await(3);
            assertThat(slowAnswered.get()).as("the slow host has not answered anything yet").isZero();
            assertThat(fastGot).extracting(r -> r.header("webhook-id")).doesNotHaveDuplicates();
            release.countDown();
            slow.await(3);
        }
    }

    @Test
    void shouldSignWithBothSecretsDuringARotationsGracePeriod() {
        String key = newTenantKey();
        try (HookReceiver receiver = HookReceiver.answering(200)) {
            JsonNode endpoint = createEndpoint(key, receiver.url(), "[\"*\"]");
            String id = endpoint.path("id").asText();
            String old = endpoint.path("secret").asText();

            Response rotated = hub.post("/api/v1/webhook-endpoints/" + id + "/rotate-secret", key, "");
            assertThat(rotated.status()).isEqualTo(200);
            String fresh = rotated.json().path("secret").asText();
            assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
            assertThat(hub.get("/api/v1/webhook-endpoints/" + id, key).json().path("previousSecretExpiresAt").asText())
                    .isEqualTo(rotated.json().path("previousSecretExpiresAt").asText());

            disconnect(key, connectionFor(key));
            HookReceiver.Received r = receiver.await(1).get(0);
            assertThat(r.header("webhook-signature").split(" ")).hasSize(2);
            assertThat(StandardWebhooksVerifier.verifies(old, r.header("webhook-id"), r.header("webhook-timestamp"), r.body(),
                    r.header("webhook-signature"))).isTrue();
            assertThat(StandardWebhooksVerifier.verifies(fresh, r.header("webhook-id"), r.header("webhook-timestamp"), r.body(),
                    r.header("webhook-signature"))).isTrue();
        }
    }

    @Test
    void shouldRefusePrivateLoopbackAndMetadataUrlsAndBadInput() {
        String key = newTenantKey();
        for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://localhost:8080/hooks",
                "http://10.0.0.7/hooks", "http://[::1]:9000/hooks", "ftp://example.com/hooks", "https://user:pw@example.com/x")) {
            Response r = hub.post("/api/v1/webhook-endpoints", key, "{\"url\":\"" + url + "\",\"events\":[\"*\"]}");
            assertThat(r.status()).as(url).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("/url");
        }
        assertThat(hub.post("/api/v1/webhook-endpoints", key, "{\"url\":\"http://127.0.0.1:1/x\",\"events\":[\"nope\"]}")
                .status()).isEqualTo(422);
        assertThat(hub.post("/api/v1/webhook-endpoints", key, "{\"url\":\"http://127.0.0.1:1/x\"}").status()).isEqualTo(400);
        assertThat(hub.post("/api/v1/webhook-endpoints", key, "{\"url\":\"http://127.0.0.1:1/x\",\"events\":[\"*\"],"
                + "\"secret\":\"mine\"}").status()).isEqualTo(400);
        String id = createEndpoint(key, "http://127.0.0.1:1/x", "[\"*\"]").path("id").asText();
        assertThat(hub.patch("/api/v1/webhook-endpoints/" + id, key, "{\"url\":\"http://169.254.169.254/\"}").status())
                .isEqualTo(422);
        assertThat(hub.get("/api/v1/webhook-endpoints/" + id, key).json().path("url").asText()).isEqualTo("http://127.0.0.1:1/x");
        assertThat(hub.get("/api/v1/webhook-endpoints/not-a-uuid", key).status()).isEqualTo(400);
    }

    @Test
    void shouldHideOneTenantsEndpointsFromAnother() {
        String owner = newTenantKey();
        String other = newTenantKey();
        String id = createEndpoint(owner, "http://127.0.0.1:1/x", "[\"*\"]").path("id").asText();
        String base = "/api/v1/webhook-endpoints/" + id;

        assertThat(hub.get(base, other).status()).isEqualTo(404);
        assertThat(hub.patch(base, other, "{\"enabled\":false}").status()).isEqualTo(404);
        assertThat(hub.post(base + "/rotate-secret", other, "").status()).isEqualTo(404);
        assertThat(hub.get(base + "/deliveries", other).status()).isEqualTo(404);
        assertThat(hub.post(base + "/deliveries/" + UUID.randomUUID() + "/resend", other, "").status()).isEqualTo(404);
        assertThat(hub.delete(base, other).status()).isEqualTo(404);
        assertThat(hub.get("/api/v1/webhook-endpoints", other).json().path("endpoints")).isEmpty();
        assertThat(hub.get(base, owner).json().path("enabled").asBoolean()).isTrue();
        assertThat(hub.get("/api/v1/webhook-endpoints", null).status()).isEqualTo(401);
        // an end user's connect session (a browser token) never manages the tenant's webhook endpoints
        Response session = hub.post("/api/v1/connect-sessions", owner, "{\"endUser\":{\"id\":\"user-a\"}}");
        assertThat(session.status()).as(session.body()).isEqualTo(201);
        String token = session.json().path("token").asText();
        assertThat(hub.get("/api/v1/webhook-endpoints", token).status()).isEqualTo(403);
        assertThat(hub.get(base, token).status()).isEqualTo(403);
        assertThat(hub.post("/api/v1/webhook-endpoints", token, "{\"url\":\"http://127.0.0.1:1/x\",\"events\":[\"*\"]}")
                .status()).isEqualTo(403);

        assertThat(hub.delete(base, owner).status()).isEqualTo(204);
        assertThat(hub.get(base, owner).status()).isEqualTo(404);
    }

    @Test
    void shouldMoveSigningSecretsToTheActiveVaultKeyOnReencryption() {
        String key = newTenantKey();
        try (HookReceiver receiver = HookReceiver.answering(200)) {
            JsonNode endpoint = createEndpoint(key, receiver.url(), "[\"*\"]");
            UUID id = UUID.fromString(endpoint.path("id").asText());
            String secret = endpoint.path("secret").asText();
            // rewrite the secret as a hub whose active key was still "old-1" would have sealed it
            CryptoProperties old = new CryptoProperties();
            old.setKeyRing("old-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
            Vault oldVault = new Vault(new KeyRing(old, new HubProperties()));
            jdbc.update("UPDATE webhook_endpoints SET secret_sealed = ? WHERE id = ?",
                    oldVault.seal(id, HostWebhookEndpoints.SECRET_FIELD, secret), id);
            assertThat(Vault.keyIdOf(sealed(id))).isEqualTo("old-1");

            Response r = hub.post("/api/v1/admin/vault/re-encrypt", adminToken, "");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("reencryptedSecrets").asInt()).isPositive();
            assertThat(Vault.keyIdOf(sealed(id))).isEqualTo("test-1");

            disconnect(key, connectionFor(key));
            HookReceiver.Received delivery = receiver.await(1).get(0);
            assertThat(StandardWebhooksVerifier.verifies(secret, delivery.header("webhook-id"), delivery.header("webhook-timestamp"),
                    delivery.body(), delivery.header("webhook-signature"))).isTrue();
            assertThat(new String(sealed(id), StandardCharsets.ISO_8859_1)).as("stored sealed, never in clear")
                    .doesNotContain(secret.substring(6)).doesNotContain(new String(Base64.getDecoder().decode(secret.substring(6)),
                            StandardCharsets.ISO_8859_1));
        }
    }

    private byte[] sealed(UUID id) {
        return jdbc.queryForObject("SELECT secret_sealed FROM webhook_endpoints WHERE id = ?", byte[].class, id);
    }

    @Test
    void shouldRunDeliveriesAsRouteStepsOpsCanSeeInHawtio() {
        for (String step : List.of("outbox.relay.webhooks", "host-webhooks.claim.due", "host-webhooks.dispatch.split",
                "host-webhooks.dispatch.queue", "host-webhooks.deliver.sign", "host-webhooks.deliver.post",
                "host-webhooks.deliver.record", "host-webhooks.deliver.outcome", "host-webhooks.deliver.disable")) {
            assertThat(camel.getProcessor(step)).as(step).isNotNull();
        }
    }

    @Test
    void shouldSignTheBytesSentForTextBeyondAscii() throws Exception {
        String key = newTenantKey();
        UUID tenant = tenants.tenantForKey(key).orElseThrow();
        try (HookReceiver receiver = HookReceiver.answering(200)) {
            JsonNode endpoint = createEndpoint(key, receiver.url(), "[\"io.integrationhub.record.created\"]");
            UUID connection = connectionFor(key);
            // a record change as a sync page publishes it (through the outbox and its relay)
            tx.executeWithoutResult(s -> events.publish("hub.records.changes", connection.toString(), "record.created",
                    "records/x", tenant, Map.of("name", "Café Müller – 東京 ✓")));

            HookReceiver.Received r = receiver.await(1).get(0);
            assertThat(r.header("content-type")).contains("charset=utf-8");
            assertThat(json(r.body()).path("data").path("name").asText()).isEqualTo("Café Müller – 東京 ✓");
            assertThat(StandardWebhooksVerifier.verifies(endpoint.path("secret").asText(), r.header("webhook-id"),
                    r.header("webhook-timestamp"), r.body(), r.header("webhook-signature"))).isTrue();
        }
    }

    private JsonNode createEndpoint(String key, String url, String events) {
        Response r = hub.post("/api/v1/webhook-endpoints", key,
                "{\"url\":\"" + url + "\",\"events\":" + events + ",\"description\":\"test receiver\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private UUID connectionFor(String key) {
        UUID tenant = tenants.tenantForKey(key).orElseThrow();
        return connections.insert(tenant, "square", "square account", ConnectionStatus.ACTIVE, List.of("a"),
                mapper.createObjectNode()).id();
    }

    private void disconnect(String key, UUID connection) {
        assertThat(hub.delete("/api/v1/connections/" + connection, key).status()).isEqualTo(200);
    }

    /** The endpoint's first delivery once it matches (waits up to a minute for the delivery routes). */
    private JsonNode awaitDelivery(String key, String endpointId, Predicate<JsonNode> state) {
        return poll(() -> {
            Response r = hub.get("/api/v1/webhook-endpoints/" + endpointId + "/deliveries", key);
            assertThat(r.status()).isEqualTo(200);
            JsonNode list = r.json().path("deliveries");
            return list.size() == 0 ? null : list.get(list.size() - 1);
        }, state);
    }

    /** The endpoint once it matches (its disabling follows the attempt's record step). */
    private JsonNode awaitEndpoint(String key, String endpointId, Predicate<JsonNode> state) {
        return poll(() -> hub.get("/api/v1/webhook-endpoints/" + endpointId, key).json(), state);
    }

    private static JsonNode poll(Supplier<JsonNode> read, Predicate<JsonNode> state) {
        long end = System.nanoTime() + 60_000_000_000L;
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = read.get();
            if (last != null && state.test(last)) {
                return last;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("never reached the state; last seen: " + last);
    }

    private JsonNode json(String body) {
        try {
            return mapper.readTree(body);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }
}
