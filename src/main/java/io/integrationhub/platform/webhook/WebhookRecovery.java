package io.integrationhub.platform.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes "stored" mean "will be processed". Ingress stores an event and its outbox row in one transaction,
 * so nothing acknowledged can be stranded between the database and Kafka any more; what is left to recover,
 * at start-up and then periodically: rows still {@code received} (never handed to the outbox, e.g. written
 * before the outbox existed), {@code queued} rows that left the outbox but were never claimed (their
 * record was consumed while the inbox was unavailable), and claims abandoned by a crashed consumer. Each
 * goes through the outbox again. Several nodes doing this at once only cause duplicate records, which the
 * claim step discards.
 */
@Component("webhookRecovery")
public class WebhookRecovery {

    public static final String PUBLISH = "direct:webhooks.publish";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookRecovery.class);
    private static final int BATCH = 500;

    private final WebhookEventStore store;
    private final WebhookProperties properties;
    private final ProducerTemplate producer;

    public WebhookRecovery(WebhookEventStore store, WebhookProperties properties, ProducerTemplate producer) {
        this.store = store;
        this.properties = properties;
        this.producer = producer;
    }

    /** @return how many events were published again */
    public int run() {
        Instant now = Instant.now();
        List<WebhookEvent> again = new ArrayList<>(store.unpublished(now.minus(properties.getRecoveryMinAge()), BATCH));
        again.addAll(store.stalledQueued(now.minus(properties.getProcessingLease()), BATCH));
        for (UUID id : store.releaseAbandoned(now.minus(properties.getProcessingLease()), BATCH)) {
            store.find(id).ifPresent(again::add);
        }
        for (WebhookEvent event : again) {
            producer.sendBody(PUBLISH, event);
        }
        if (!again.isEmpty()) {
            LOG.info("Re-published {} stored webhook events", again.size());
        }
        return again.size();
    }
}
