package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.webhook.subscription.HubHeartbeat;
import io.integrationhub.platform.webhook.subscription.SyncRequests;

/**
 * A hub that was down missed its webhooks: when the last heartbeat is older than the outage threshold,
 * the outage check (also run at start-up) asks the sync engine for incremental syncs — once.
 */
class HubOutageSyncTest extends WebhookIntegrationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Autowired
    HubHeartbeat heartbeat;

    @Test
    void shouldRecordAHeartbeatOnceStarted() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM hub_heartbeat WHERE id = 'cluster' AND beat_at IS NOT NULL AND instance_id IS NOT NULL",
                Integer.class) == 1);
    }

    @Test
    void shouldAskForIncrementalSyncsOnceAfterAnOutage() {
        Tenant tenant = tenant();
        UUID xero = connection(tenant, "xero", "xero-org-" + unique());
        UUID xeroDisconnected = connection(tenant, "xero", null);
        jdbc.update("UPDATE connections SET status = 'disconnected' WHERE id = ?", xeroDisconnected);
        UUID erpWithoutWebhooks = connection(tenant, "business-central", null);
        UUID erpWithSubscription = connection(tenant, "business-central", null);
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO provider_subscriptions (id, tenant_id, connection_id, provider, kind, external_id, resource, "
                + "status, created_at, updated_at) VALUES (?, ?, ?, 'business-central', 'graph', ?, 'customers', 'active', ?, ?)",
                UUID.randomUUID(), tenant.id(), erpWithSubscription, unique(), now, now);
        Set<String> ours = Set.of(xero.toString(), xeroDisconnected.toString(), erpWithoutWebhooks.toString(),
                erpWithSubscription.toString());

        // No outage: a fresh heartbeat means nothing to do.
        jdbc.update("UPDATE hub_heartbeat SET beat_at = ? WHERE id = 'cluster'", now);
        assertThat(heartbeat.checkOutage()).isZero();

        // The hub was down for an hour.
        jdbc.update("UPDATE hub_heartbeat SET beat_at = ? WHERE id = 'cluster'",
                Timestamp.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        assertThat(heartbeat.checkOutage()).isGreaterThanOrEqualTo(2);

        // The requests leave through the transactional outbox: read once the relay has sent what was written.
        awaitOutboxDrained();
        List<JsonNode> requests = outageRequests(ours);
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.path("type").asText()).isEqualTo("io.integrationhub.sync.requested");
            assertThat(r.path("data").path("mode").asText()).isEqualTo("incremental");
        });
        assertThat(requests.stream().filter(r -> r.path("data").path("connectionId").asText().equals(xero.toString()))
                .map(r -> r.path("data").path("entity").asText()))
                .containsExactlyInAnyOrder("invoice", "bill", "payment", "contact");
        assertThat(requests.stream().filter(r -> r.path("data").path("connectionId").asText()
                .equals(erpWithSubscription.toString())).map(r -> r.path("data").path("entity").asText()))
                .containsExactlyInAnyOrder("customer", "item", "vendor", "sales_order", "sales_invoice");
        assertThat(requests).hasSize(9);

        // Claimed once: the claim moved the heartbeat, a second check (another node starting) publishes nothing.
        assertThat(heartbeat.checkOutage()).isZero();
        awaitOutboxDrained();
        assertThat(outageRequests(ours)).hasSize(9);
        assertThat(jdbc.queryForObject("SELECT outage_from FROM hub_heartbeat WHERE id = 'cluster'", Timestamp.class)
                .toInstant()).isBefore(Instant.now().minus(50, ChronoUnit.MINUTES));
    }

    private void awaitOutboxDrained() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(*) FROM outbox_events", Long.class) == 0L);
    }

    /** Every {@code hub-outage} sync request keyed by one of {@code keys}, reading the whole topic up to its current end. */
    private List<JsonNode> outageRequests(Set<String> keys) {
        List<JsonNode> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(SyncRequests.TOPIC).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.currentTimeMillis()).as("reading %s to its end", SyncRequests.TOPIC).isLessThan(deadline);
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(300))) {
                    if (keys.contains(record.key())) {
                        JsonNode value = MAPPER.readTree(record.value());
                        if (HubHeartbeat.REASON.equals(value.path("data").path("reason").asText())) {
                            found.add(value);
                        }
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }
}
