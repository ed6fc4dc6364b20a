package io.integrationhub.platform.events;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Steps of the relay routes ({@code outbox.camel.yaml}): claim a batch of outbox rows inside the route's
 * transaction, hand them to the Kafka producer as one batch, delete them once every record was
 * acknowledged. A failed send rolls the transaction back (the rows stay, the next round sends them again)
 * and pauses the relay with a doubling backoff. Metrics: {@code hub_outbox_pending_rows},
 * {@code hub_outbox_lag_seconds} (age of the oldest unrelayed event), {@code hub_outbox_relayed_total},
 * {@code hub_outbox_relay_failures_total}.
 */
@Component("outboxRelay")
@EnableConfigurationProperties(OutboxProperties.class)
public class OutboxRelay {

    /** Exchange property: the claimed rows' seq, deleted after the send. */
    public static final String SEQS = "HubOutboxSeqs";
    /** Exchange property: the batch was full, go again without waiting for the timer. */
    public static final String MORE = "HubOutboxMore";

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration STATS_TTL = Duration.ofSeconds(1);
    /**
     * How often a batch reads the outbox from its start instead of after the rows this relay already sent: the
     * safety net behind the holes below (a transaction open longer than this, more holes than {@link #MAX_HOLES},
     * rows another instance's relay read past). Such a read walks every row relayed since the last vacuum.
     */
    static final Duration FULL_READ_EVERY = Duration.ofSeconds(60);
    /**
     * Seqs a read passed over (taken by a transaction that had not committed yet, or rolled back) are looked up
     * again by primary key with every batch, for this long: a transaction that took its seq before rows already
     * relayed but committed after them is sent at the next batch.
     */
    static final Duration HOLE_WAIT = FULL_READ_EVERY;
    /** More holes than this (another instance relayed meanwhile, a burst of rollbacks): a full read instead. */
    static final int MAX_HOLES = 1000;

    private final Outbox outbox;
    private final OutboxProperties properties;
    private final CamelContext camel;
    private final Counter relayed;
    private final Counter failures;

    private volatile Instant pausedUntil = Instant.MIN;
    private volatile long backoffMs;
    private volatile Outbox.Stats stats;
    private volatile Instant statsAt = Instant.MIN;
    private volatile long relayedUpTo;
    private volatile Instant fullReadAt = Instant.MIN;
    /** Holes (seq → when first passed over), oldest seq first; the relay route's one thread uses them. */
    private final TreeMap<Long, Instant> holes = new TreeMap<>();

    public OutboxRelay(Outbox outbox, OutboxProperties properties, CamelContext camel, MeterRegistry registry) {
        this.outbox = outbox;
        this.properties = properties;
        this.camel = camel;
        this.relayed = Counter.builder("hub.outbox.relayed").description("events relayed from the outbox to Kafka")
                .register(registry);
        this.failures = Counter.builder("hub.outbox.relay.failures").description("relay batches that failed and were rolled back")
                .register(registry);
        Gauge.builder("hub.outbox.pending", this, r -> r.stats().pending()).baseUnit("rows")
                .description("events written but not yet acknowledged by Kafka").register(registry);
        Gauge.builder("hub.outbox.lag", this, r -> r.lagSeconds(r.stats())).baseUnit("seconds")
                .description("age of the oldest event not yet acknowledged by Kafka").register(registry);
    }

    /** Route step: the next batch (oldest first; none while another instance relays) as the body, as Kafka messages. */
    public List<Message> claim(Exchange exchange) {
        exchange.setProperty(MORE, false);
        if (Instant.now().isBefore(pausedUntil)) {
            exchange.setProperty(SEQS, List.of());
            return List.of();
        }
        Instant now = Instant.now();
        long after = relayedUpTo;
        List<Long> lookUp;
        synchronized (holes) {
            holes.values().removeIf(since -> now.isAfter(since.plus(HOLE_WAIT)));
            if (holes.size() > MAX_HOLES) {
                holes.clear();
                after = 0;
            }
            if (after == 0 || now.isAfter(fullReadAt.plus(FULL_READ_EVERY))) {
                after = 0;
                fullReadAt = now;
            }
            // a read from the start finds every late row itself (they are the oldest left): no lookup, no row twice
            lookUp = after == 0 ? List.of() : new ArrayList<>(holes.keySet());
        }
        List<Outbox.Pending> rows = outbox.claim(properties.getBatchSize(), after, lookUp);
        List<Message> messages = new ArrayList<>(rows.size());
        List<Long> seqs = new ArrayList<>(rows.size());
        for (Outbox.Pending row : rows) {
            Message m = new DefaultMessage(camel);
            row.headers().forEach(m::setHeader);
            m.setHeader(KafkaConstants.OVERRIDE_TOPIC, row.topic());
            m.setHeader(KafkaConstants.KEY, row.key());
            m.setBody(row.payload());
            messages.add(m);
            seqs.add(row.seq());
        }
        exchange.setProperty(SEQS, seqs);
        exchange.setProperty(MORE, rows.size() >= properties.getBatchSize());
        return messages;
    }

    /** Route step after the producer returned: every record of the batch is acknowledged, the rows go. */
    @SuppressWarnings("unchecked")
    public void acknowledged(Exchange exchange) {
        List<Long> seqs = exchange.getProperty(SEQS, List.class);
        outbox.delete(seqs);
        relayed.increment(seqs.size());
        if (!seqs.isEmpty()) { // rows come in seq order: the next read starts after the last one
            long to = Math.max(relayedUpTo, seqs.get(seqs.size() - 1));
            passedOver(relayedUpTo, to, seqs);
            relayedUpTo = to;
        }
        if (backoffMs > 0) {
            LOG.info("Outbox relay sending again after failures");
            backoffMs = 0;
        }
    }

    /**
     * Remembers the seqs between {@code from} (what this relay had sent up to) and {@code to} that the batch did not
     * have, and forgets the holes it filled. Nothing is remembered below the first batch after a start or a failure
     * ({@code from} 0): the periodic read from the start covers those.
     */
    private void passedOver(long from, long to, List<Long> sent) {
        Instant now = Instant.now();
        synchronized (holes) {
            Set<Long> got = new HashSet<>(sent);
            holes.keySet().removeAll(got);
            if (from > 0) {
                long within = got.stream().filter(seq -> seq > from && seq < to).count();
                if (to - from - 1 - within > MAX_HOLES) {
                    fullReadAt = Instant.MIN; // too many to look up one by one: the next batch reads from the start
                } else {
                    for (long seq = from + 1; seq < to; seq++) {
                        if (!got.contains(seq)) {
                            holes.putIfAbsent(seq, now);
                        }
                    }
                }
            }
        }
    }

    /** Holes being looked up now (tests). */
    public int holes() {
        synchronized (holes) {
            return holes.size();
        }
    }

    /** Route step of the relay's catch: the batch was rolled back; pause before trying again. */
    public void failed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.setProperty(MORE, false);
        relayedUpTo = 0; // the batch's rows stay: read from the start again
        failures.increment();
        long previous = backoffMs;
        backoffMs = Math.min(properties.getMaxBackoff().toMillis(), Math.max(properties.getPollIntervalMs(), previous * 2));
        pausedUntil = Instant.now().plusMillis(backoffMs);
        if (previous == 0) {
            LOG.warn("Outbox relay could not send ({}); events stay in the outbox and are sent again, every {} ms at most",
                    e == null ? "unknown" : e.getClass().getSimpleName() + ": " + e.getMessage(), properties.getMaxBackoff().toMillis());
        } else {
            LOG.debug("Outbox relay failed again", e);
        }
    }

    /** Pending rows and the oldest one's time, read at most once a second (metrics scrapes, health). */
    public Outbox.Stats stats() {
        Instant now = Instant.now();
        Outbox.Stats current = stats;
        if (current == null || now.isAfter(statsAt.plus(STATS_TTL))) {
            try {
                current = outbox.stats();
            } catch (RuntimeException e) {
                current = current == null ? new Outbox.Stats(0, null) : current;
            }
            stats = current;
            statsAt = now;
        }
        return current;
    }

    public double lagSeconds(Outbox.Stats s) {
        return s.oldest() == null ? 0 : Math.max(0, Duration.between(s.oldest(), Instant.now()).toMillis() / 1000.0);
    }

    public OutboxProperties properties() {
        return properties;
    }
}
