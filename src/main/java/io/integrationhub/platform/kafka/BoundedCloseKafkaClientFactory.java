package io.integrationhub.platform.kafka;

import java.time.Duration;
import java.util.Properties;

import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.stereotype.Component;

/**
 * camel-kafka's producers, with a bounded {@code close()}. Camel stops a Kafka endpoint with {@code Producer.close()},
 * which waits without limit; an idempotent producer (the outbox relay's) whose broker went away while it still had a
 * producer-id request or records pending never finishes that wait, and Camel's, Spring's and the JVM's shutdown
 * hang with it (seen in WebhookKafkaStoppedTest on a loaded machine). Here {@code close()} waits at most
 * {@link #CLOSE_TIMEOUT}, then the producer drops what the broker has not taken: the outbox keeps those events
 * (rows are deleted only after the broker acknowledged them) and sends them again after the restart.
 * application.yaml names this bean in {@code camel.component.kafka.kafka-client-factory}.
 */
@Component
public class BoundedCloseKafkaClientFactory extends DefaultKafkaClientFactory {

    /** Longest wait of one producer's close (several producers close one after the other on shutdown). */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

    @Override
    @SuppressWarnings({ "rawtypes", "unchecked" })
    public Producer getProducer(Properties kafkaProps) {
        return new KafkaProducer(kafkaProps) {
            @Override
            public void close() {
                close(CLOSE_TIMEOUT);
            }
        };
    }
}
