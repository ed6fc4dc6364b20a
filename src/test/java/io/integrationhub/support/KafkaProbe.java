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
        // Resolve "latest" now: otherwise it is resolved lazily at the next poll and skips events sent meanwhile.
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

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
