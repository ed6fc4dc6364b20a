package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.ProducerTemplate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.KafkaProbe;

/** Kafka → family handler by event type; retries, dead letter, replay, recovery after a crash. */
class WebhookProcessingTest extends WebhookIntegrationTest {

    @Autowired
    ProducerTemplate producer;
    @Autowired
    WebhookEventStore store;

    @Test
    void shouldRouteEventsToTheFamilyHandlerOnceEvenWhenTheRecordIsDeliveredAgain() {
        Tenant tenant = tenant();
        String merchant = "M" + unique().substring(0, 8);
        UUID connection = connection(tenant, "square", merchant);
        assertThat(square(squareEvent(merchant, unique())).status()).isEqualTo(200);

        Map<String, Object> row = awaitRows(connection, 1, "processed").get(0);
        assertThat(row.get("handler")).isEqualTo("webhook.square.order.updated");
        String id = row.get("id").toString();
        assertThat(HANDLED.get(id)).isEqualTo(1);
        // Handlers get the provider's event as delivered, not the internal envelope.
        assertThat(BODIES.get(id)).contains("\"order_updated\"").doesNotContain("specversion");

        // The same record again (a consumer crash before committing its offset, or recovery racing it).
        WebhookEvent event = store.find(UUID.fromString(id)).orElseThrow();
        producer.sendBody(WebhookRecovery.PUBLISH, event);
        producer.sendBody(WebhookRecovery.PUBLISH, event);
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> HANDLED.get(id) == 1 && "processed".equals(rows(connection).get(0).get("status")));
        assertThat(rows(connection).get(0).get("delivery_count")).isEqualTo(1);
    }

    @Test
    void shouldRetryThenDeadLetterAndReplayOnceForTheOwningTenantOnly() {
        Tenant tenant = tenant();
        Tenant other = tenant();
        String merchant = "M" + unique().substring(0, 8);
        UUID connection = connection(tenant, "square", merchant);
        String eventId = "always-fails-" + unique();

        try (KafkaProbe deadLetterTopic = new KafkaProbe(bootstrapServers, "hub.dead-letters")) {
            assertThat(square(squareEvent(merchant, eventId)).status()).isEqualTo(200);
            Map<String, Object> row = awaitRows(connection, 1, "failed").get(0);
            String id = row.get("id").toString();
            assertThat(HANDLED.get(id)).isEqualTo(3); // first attempt + hub.errors.max-redeliveries (2) in tests
            assertThat((String) row.get("error")).contains("provider API said no");
            JsonNode announced = deadLetterTopic.await(connection.toString(), e -> true);
            assertThat(announced.path("data").path("routeId").asText()).isEqualTo("test.webhook.square.order-updated");
        }

        HubClient.Response list = hub.get("/api/v1/dead-letters", tenant.apiKey());
        assertThat(list.status()).isEqualTo(200);
        JsonNode letter = list.json().path("deadLetters").get(0);
        assertThat(letter.path("sourceType").asText()).isEqualTo("webhook_event");
        assertThat(letter.path("connectionId").asText()).isEqualTo(connection.toString());
        assertThat(letter.path("exceptionMessage").asText()).isEqualTo("provider API said no");
        assertThat(letter.has("body")).isFalse();
        String letterId = letter.path("id").asText();
        String eventRowId = letter.path("sourceId").asText();

        assertThat(hub.get("/api/v1/dead-letters", other.apiKey()).json().path("deadLetters")).isEmpty();
        assertThat(hub.post("/api/v1/dead-letters/" + letterId + "/replay", other.apiKey(), "").status()).isEqualTo(404);

        FIXED.add(eventRowId);
        HubClient.Response replay = hub.post("/api/v1/dead-letters/" + letterId + "/replay", tenant.apiKey(), "");
        assertThat(replay.status()).isEqualTo(202);
        assertThat(replay.json().path("status").asText()).isEqualTo("replayed");
        awaitRows(connection, 1, "processed");
        assertThat(HANDLED.get(eventRowId)).isEqualTo(4);

        HubClient.Response again = hub.post("/api/v1/dead-letters/" + letterId + "/replay", tenant.apiKey(), "");
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().path("replayCount").asInt()).isEqualTo(1);
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> HANDLED.get(eventRowId) == 4);
    }

    @Test
    void shouldProcessEventsStoredButNeverPublishedBeforeACrash() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "square", "M" + unique().substring(0, 8));
        // What a kill -9 between the inbox commit and the Kafka publish leaves behind.
        UUID id = UUID.randomUUID();
        WebhookEvent orphan = new WebhookEvent(id, tenant.id(), connection, "square", "order.updated", "evt-" + id,
                WebhookEvent.RECEIVED, "{\"type\":\"order.updated\"}", null, 0, 0, Instant.now().minusSeconds(30), null);
        assertThat(store.insertIfNew(orphan, connection + ":evt-" + id, "M", "{}")).isTrue();

        Map<String, Object> row = awaitRows(connection, 1, "processed").get(0);
        assertThat(row.get("delivery_count")).isEqualTo(1);
        assertThat(HANDLED.get(id.toString())).isEqualTo(1);
    }

    @Test
    void shouldListTheTenantsEventsByStatusAndProviderInPages() {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);
        for (int i = 0; i < 3; i++) {
            // Credit-note events: the Xero family routes them and needs no call for them (processed, no provider call).
            assertThat(xero(creditNote(xeroTenant)).status()).isEqualTo(200);
        }
        awaitRows(connection, 3, "processed");
        // One arrival time for all three (a group commit stores a burst at once): the cursor's id decides.
        jdbc.update("UPDATE webhook_events SET received_at = (SELECT MIN(received_at) FROM webhook_events "
                + "WHERE connection_id = ?) WHERE connection_id = ?", connection, connection);
        List<String> byId = rows(connection).stream().map(r -> r.get("id").toString()).sorted(Comparator.reverseOrder()).toList();

        HubClient.Response first = hub.get("/api/v1/webhook-events?status=processed&provider=xero&limit=2", tenant.apiKey());
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("events")).hasSize(2);
        JsonNode event = first.json().path("events").get(0);
        assertThat(event.path("connectionId").asText()).isEqualTo(connection.toString());
        assertThat(event.path("eventType").asText()).isEqualTo("creditnote.update");
        assertThat(event.path("payload").path("tenantId").asText()).isEqualTo(xeroTenant);
        String cursor = first.json().path("nextCursor").asText();

        HubClient.Response second = hub.get("/api/v1/webhook-events?status=processed&provider=xero&limit=2&cursor=" + cursor,
                tenant.apiKey());
        assertThat(second.json().path("events")).hasSize(1);
        assertThat(second.json().path("nextCursor").isNull()).isTrue();
        List<String> ids = List.of(first.json().path("events").get(0).path("id").asText(),
                first.json().path("events").get(1).path("id").asText(), second.json().path("events").get(0).path("id").asText());
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).as("newest first, ties by id, each once across the pages").isEqualTo(byId);
        HubClient.Response all = hub.get("/api/v1/webhook-events?limit=2&cursor=" + cursor, tenant.apiKey());
        assertThat(all.json().path("events")).hasSize(1);

        assertThat(hub.get("/api/v1/webhook-events?status=ignored", tenant.apiKey()).json().path("events")).isEmpty();
        assertThat(hub.get("/api/v1/webhook-events", tenant().apiKey()).json().path("events")).isEmpty();
        assertThat(hub.get("/api/v1/webhook-events?status=bogus", tenant.apiKey()).status()).isEqualTo(400);
        assertThat(hub.get("/api/v1/webhook-events?cursor=bogus", tenant.apiKey()).status()).isEqualTo(400);
    }
}
