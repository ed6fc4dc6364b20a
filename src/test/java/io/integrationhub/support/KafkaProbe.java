package io.integrationhub.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads a hub topic like a host application would. Open it before causing the event. */
public final class KafkaProbe implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final KafkaConsumer<String, String> consumer;

    public KafkaProbe(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        consumer.subscribe(List.of(topic));
        long deadline = System.currentTimeMillis() + 15_000;
        while (consumer.assignment().isEmpty() && System.currentTimeMillis() < deadline) {
            consumer.poll(Duration.ofMillis(200));
        }
        // Fix the "latest" offsets now: resolved lazily, they could skip a record published right after this.
        consumer.assignment().forEach(consumer::position);
    }

    /** The first record with this key whose JSON value matches, within 20 seconds. */
    public JsonNode await(String key, Predicate<JsonNode> matching) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(300))) {
                if (key.equals(record.key())) {
                    try {
                        JsonNode value = MAPPER.readTree(record.value());
                        if (matching.test(value)) {
                            return value;
                        }
                    } catch (Exception e) {
                        throw new AssertionError("record is not JSON: " + record.value(), e);
                    }
                }
            }
        }
        throw new AssertionError("no matching record keyed " + key);
    }

    /** A record as read: its key and JSON value. */
    public record Keyed(String key, JsonNode value) {
    }

    /**
     * Every record read (in partition order), until {@code done} holds for what was read so far, within
     * 30 seconds; then what was read.
     */
    public List<Keyed> collect(Predicate<List<Keyed>> done) {
        List<Keyed> seen = new java.util.ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(300))) {
                try {
                    seen.add(new Keyed(record.key(), MAPPER.readTree(record.value())));
                } catch (Exception e) {
                    throw new AssertionError("record is not JSON: " + record.value(), e);
                }
            }
            if (done.test(seen)) {
                return seen;
            }
        }
        throw new AssertionError("records read did not complete in time: " + seen.size() + " read");
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
