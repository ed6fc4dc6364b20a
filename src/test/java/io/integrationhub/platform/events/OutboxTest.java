package io.integrationhub.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.sync.RecordStore;
import io.integrationhub.platform.sync.SyncSource.Mapped;
import io.integrationhub.support.HubIntegrationTest;
import io.integrationhub.support.KafkaProbe;

/**
 * The transactional outbox as a host application sees it on Kafka: events of rolled-back work never
 * appear; a relay that fails after the broker took a batch (before it could delete the rows) sends the
 * batch again, so nothing is lost and, deduplicated by CloudEvent id, every key's events arrive in order;
 * one relay reads the outbox at a time (another instance's relay holding the relay lock makes this one wait).
 * Small batches (5) so one run crosses several of them; own context, because the relay route is advised.
 */
@TestPropertySource(properties = "hub.outbox.batch-size=5")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OutboxTest extends HubIntegrationTest {

    @Autowired
    EventPublisher events;
    @Autowired
    Outbox outbox;
    @Autowired
    OutboxRelay relay;
    @Autowired
    RecordStore records;
    @Autowired
    ConnectionRepository connections;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CamelContext camel;
    @Autowired
    ObjectMapper mapper;
    @Value("${hub.kafka.bootstrap-servers}")
    String bootstrapServers;

    @Test
    void shouldPublishNothingForATransactionThatRolledBack() {
        UUID tenant = UUID.fromString(newTenant().path("id").asText());
        Connection connection = connections.insert(tenant, "square", "outbox test", ConnectionStatus.ACTIVE, List.of(), null);
        String key = connection.id().toString();

        try (KafkaProbe changes = new KafkaProbe(bootstrapServers, HubTopics.RECORD_CHANGES)) {
            tx.executeWithoutResult(status -> {
                ObjectNode data = mapper.createObjectNode().put("name", "never committed");
                List<RecordStore.Change> written = records.apply(tenant, connection.id(), "item",
                        List.of(new Mapped("ext-rolled-back", data, null, false)), Instant.now());
                assertThat(written).hasSize(1);
                events.publish(HubTopics.RECORD_CHANGES, key, "record.created", "rolled-back", tenant,
                        Map.of("marker", "rolled-back"));
                status.setRollbackOnly(); // e.g. the page's checkpoint found the run taken over
            });
            // Then committed work on the same key: its event comes after anything published before it.
            tx.executeWithoutResult(status -> events.publish(HubTopics.RECORD_CHANGES, key, "record.created", "committed",
                    tenant, Map.of("marker", "committed")));

            assertThat(changes.await(key, e -> true).path("data").path("marker").asText()).isEqualTo("committed");
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM records WHERE connection_id = ?", Integer.class,
                connection.id())).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_events WHERE message_key = ?", Integer.class, key))
                .isZero();
    }

    @Test
    void shouldSendABatchAgainWhenTheRelayFailsAfterTheBrokerTookItWithoutLosingOrReorderingAKeysEvents()
            throws Exception {
        // Fail the 2nd and 4th batch after the send, before the delete: what a relay killed mid-batch leaves.
        AtomicInteger batches = new AtomicInteger();
        AdviceWith.adviceWith(camel, "outbox.relay.batch", route -> route.weaveById("outbox.relay.ack").before()
                .process(exchange -> {
                    int n = batches.incrementAndGet();
                    if (n == 2 || n == 4) {
                        throw new IllegalStateException("relay died after the send (test)");
                    }
                }));
        camel.getRouteController().stopRoute("outbox.relay");
        List<String> keys = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString(), UUID.randomUUID().toString());
        Map<String, List<String>> expected = Map.of(keys.get(0), new ArrayList<>(), keys.get(1), new ArrayList<>(),
                keys.get(2), new ArrayList<>());
        try (KafkaProbe changes = new KafkaProbe(bootstrapServers, HubTopics.RECORD_CHANGES)) {
            for (int i = 0; i < 10; i++) {
                for (String key : keys) {
                    OutboxMessage m = events.message(HubTopics.RECORD_CHANGES, key, "record.updated", "n" + i, null,
                            Map.of("n", i));
                    events.publishAll(List.of(m));
                    expected.get(key).add(m.eventId().toString());
                }
            }
            camel.getRouteController().startRoute("outbox.relay");

            Set<String> all = new LinkedHashSet<>();
            expected.values().forEach(all::addAll);
            List<KafkaProbe.Keyed> read = changes.collect(seen -> seen.stream()
                    .map(r -> r.value().path("id").asText()).collect(java.util.stream.Collectors.toSet()).containsAll(all));

            for (String key : keys) {
                List<String> ids = read.stream().filter(r -> key.equals(r.key())).map(r -> r.value().path("id").asText())
                        .toList();
                // A consumer deduplicating by id sees every event of the key once, in the order it was written.
                assertThat(new ArrayList<>(new LinkedHashSet<>(ids))).isEqualTo(expected.get(key));
            }
            // The failed batches really were sent twice (same ids), and nothing is left behind.
            long records = read.stream().filter(r -> keys.contains(r.key())).count();
            assertThat(records).isGreaterThan(30);
            // The relay counts a batch after its send returns, which may be just after a consumer has read it.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> batches.get() >= 8);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                jdbc.queryForObject("SELECT COUNT(*) FROM outbox_events", Integer.class) == 0);
    }

    @Test
    void shouldRelayFromOneInstanceAtATimeAndSendWhatWaitedOnceTheOtherLetsGo() throws Exception {
        // Another instance's relay batch is running: its transaction holds the relay lock, as Outbox.claim takes it.
        try (OpenTransaction other = new OpenTransaction(tx, "other-instance-relay",
                () -> jdbc.queryForList("SELECT id FROM outbox_relay_lock WHERE id = 1 FOR UPDATE"));
                KafkaProbe changes = new KafkaProbe(bootstrapServers, HubTopics.RECORD_CHANGES)) {
            String key = UUID.randomUUID().toString();
            events.publishAll(List.of(events.message(HubTopics.RECORD_CHANGES, key, "record.created", "waiting", null,
                    Map.of("marker", "waiting"))));

            // This instance's relay keeps running its rounds, and leaves the row alone while the other holds the lock.
            long before = relayRounds();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> relayRounds() >= before + 3);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox_events WHERE message_key = ?", Integer.class, key))
                    .isEqualTo(1);
            List<Outbox.Pending> claimed = tx.execute(status -> outbox.claim(10, 0));
            assertThat(claimed).as("a claim while another relay holds the lock").isEmpty();

            other.commit();
            assertThat(changes.await(key, e -> true).path("data").path("marker").asText()).isEqualTo("waiting");
        }
    }

    @Test
    void shouldRelayAnEventWhoseTransactionCommittedAfterLaterEventsWereSent() throws Exception {
        // A transaction takes its outbox seq first and commits last (a long page commit, a slow webhook): the
        // relay, reading after the rows it already sent, still finds it.
        String slowKey = UUID.randomUUID().toString();
        try (OpenTransaction slow = new OpenTransaction(tx, "slow-transaction", () -> events.publishAll(List.of(
                events.message(HubTopics.RECORD_CHANGES, slowKey, "record.created", "slow", null, Map.of("marker", "slow")))));
                KafkaProbe changes = new KafkaProbe(bootstrapServers, HubTopics.RECORD_CHANGES)) {
            String fastKey = UUID.randomUUID().toString();
            for (int i = 0; i < 12; i++) { // more than a batch (5): the relay reads on after the rows it sent
                events.publishAll(List.of(events.message(HubTopics.RECORD_CHANGES, fastKey, "record.created", "fast" + i,
                        null, Map.of("marker", "fast" + i))));
            }
            assertThat(changes.await(fastKey, e -> e.path("data").path("marker").asText().equals("fast11"))).isNotNull();
            // the sent rows go (the relay deletes them right after the broker acknowledged); the slow row is invisible
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    jdbc.queryForObject("SELECT COUNT(*) FROM outbox_events", Integer.class) == 0);

            // the relay read past the slow transaction's seq: it looks that seq up again with each batch, rather than
            // waiting for its read from the start (every minute, longer than the probe waits)
            assertThat(relay.holes()).as("the uncommitted seq is remembered as a hole").isPositive();

            slow.commit();
            assertThat(changes.await(slowKey, e -> true).path("data").path("marker").asText()).isEqualTo("slow");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> relay.holes() == 0);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                jdbc.queryForObject("SELECT COUNT(*) FROM outbox_events", Integer.class) == 0);
    }

    /** A transaction on a thread of its own that did {@code work} and stays open until {@link #commit()}. */
    private static final class OpenTransaction implements AutoCloseable {
        private final CountDownLatch done = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        OpenTransaction(TransactionTemplate tx, String name, Runnable work) throws InterruptedException {
            thread = new Thread(() -> tx.executeWithoutResult(status -> {
                work.run();
                done.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }), name);
            thread.start();
            assertThat(done.await(10, TimeUnit.SECONDS)).as(name + " did its work").isTrue();
        }

        void commit() throws InterruptedException {
            release.countDown();
            thread.join(10_000);
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    private long relayRounds() {
        return camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class).getManagedRoute("outbox.relay")
                .getExchangesCompleted();
    }
}
