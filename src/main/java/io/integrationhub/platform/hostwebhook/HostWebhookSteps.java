package io.integrationhub.platform.hostwebhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.events.EventPublisher;
import io.integrationhub.platform.events.HubTopics;
import io.integrationhub.platform.security.OutboundUrlGuard;

/**
 * Steps of the host webhook routes ({@code host-webhooks.camel.yaml}) and of the outbox relay's fan-out.
 * <ul>
 * <li>{@link #fanOut}: in the relay's batch transaction, every public event of the batch becomes one pending
 * delivery per enabled endpoint of its tenant subscribed to its type — so a delivery exists exactly when its
 * event was relayed, and survives any restart.</li>
 * <li>{@link #claim}: due deliveries, locked for this instance for {@code lease}, at most
 * {@code max-in-flight-per-endpoint} per endpoint.</li>
 * <li>{@link #sign}: the endpoint URL re-checked, the Standard Webhooks headers, the request.</li>
 * <li>{@link #record}: the attempt logged and the next state: delivered, retried on the schedule, failed.</li>
 * <li>{@link #disable}: {@code 410 Gone}, or a schedule run out without the endpoint answering 2xx since the
 * failures began, disables the endpoint with an event ({@code io.integrationhub.webhook-endpoint.disabled}) and a
 * log alert.</li>
 * </ul>
 */
@Component("hostWebhooks")
public class HostWebhookSteps implements DisposableBean {

    /** The topic of the endpoint events (also delivered to the tenant's other endpoints that subscribe to them). */
    public static final String ENDPOINT_TOPIC = io.integrationhub.platform.events.HubTopics.WEBHOOK_ENDPOINTS;
    public static final String DISABLED_TYPE = "webhook-endpoint.disabled";

    /** Exchange properties of one delivery exchange. */
    public static final String CLAIMED = "HubWebhookDelivery";
    public static final String OUTCOME = "HubWebhookOutcome";
    public static final String STARTED = "HubWebhookStarted";
    public static final String ATTEMPT = "HubWebhookAttempt";
    public static final String STEP = "HubWebhookStep";
    public static final String REFUSED = "HubWebhookRefused";
    public static final String REASON = "HubWebhookReason";

    /** The topics whose events are delivered to host webhooks (the public ones). */
    static final Set<String> TOPICS = Set.of(HubTopics.RECORD_CHANGES, HubTopics.CONNECTIONS, HubTopics.SYNCS,
            HubTopics.DEAD_LETTERS, ENDPOINT_TOPIC);

    private static final Logger LOG = LoggerFactory.getLogger(HostWebhookSteps.class);

    private final HostWebhookEndpoints endpoints;
    private final HostWebhookDeliveries deliveries;
    private final HostWebhookHttp.UrlGuard guard;
    private final HostWebhookProperties properties;
    private final EventPublisher events;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;
    private final String instance = "hub-" + UUID.randomUUID();

    public HostWebhookSteps(HostWebhookEndpoints endpoints, HostWebhookDeliveries deliveries, HostWebhookHttp.UrlGuard guard,
            HostWebhookProperties properties, EventPublisher events, TransactionTemplate tx, ObjectMapper mapper) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.guard = guard;
        this.properties = properties;
        this.events = events;
        this.tx = tx;
        this.mapper = mapper;
    }

    /** Relay step (body: the batch's Kafka messages): one delivery per subscribed enabled endpoint and event. */
    public void fanOut(Exchange exchange) {
        List<?> batch = exchange.getMessage().getBody(List.class);
        if (batch == null || batch.isEmpty()) {
            return;
        }
        // Most events (a sync's record changes) belong to tenants without endpoints: one query per batch, and no
        // event is parsed when no tenant has an enabled endpoint.
        Set<UUID> subscribed = endpoints.tenantsWithEnabledEndpoints();
        if (subscribed.isEmpty()) {
            return;
        }
        Map<UUID, List<HostWebhookEndpoints.Endpoint>> byTenant = new HashMap<>();
        List<HostWebhookDeliveries.New> created = new ArrayList<>();
        for (Object item : batch) {
            if (!(item instanceof Message m) || !TOPICS.contains(m.getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class))) {
                continue;
            }
            String payload = m.getBody(String.class);
            String[] attributes;
            try {
                attributes = attributes(payload);
            } catch (Exception e) {
                continue; // not a CloudEvent: nothing to deliver
            }
            String tenant = attributes[0];
            String id = attributes[1];
            String type = attributes[2];
            if (tenant == null || id == null || type == null) {
                continue;
            }
            UUID tenantId;
            UUID eventId;
            try {
                tenantId = UUID.fromString(tenant);
                eventId = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (!subscribed.contains(tenantId)) {
                continue;
            }
            for (HostWebhookEndpoints.Endpoint endpoint : byTenant.computeIfAbsent(tenantId, t -> endpoints.list(t).stream()
                    .filter(HostWebhookEndpoints.Endpoint::enabled).toList())) {
                if (HostWebhookEvents.matches(endpoint.events(), type)) {
                    created.add(new HostWebhookDeliveries.New(tenantId, endpoint.id(), eventId, type, payload));
                }
            }
        }
        deliveries.insert(created, Instant.now());
    }

    /**
     * The {@code tenantid}, {@code id} and {@code type} of a CloudEvent's JSON, read with the streaming parser: the
     * event's data (a sync page's events are mostly record data) is skipped, not built into a tree.
     */
    private String[] attributes(String payload) throws java.io.IOException {
        String[] found = new String[3];
        try (JsonParser p = mapper.getFactory().createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new java.io.IOException("not an object");
            }
            int missing = 3;
            while (missing > 0 && p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                int slot = "tenantid".equals(name) ? 0 : "id".equals(name) ? 1 : "type".equals(name) ? 2 : -1;
                if (slot >= 0 && value == JsonToken.VALUE_STRING) {
                    if (found[slot] == null) {
                        missing--;
                    }
                    found[slot] = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
        return found;
    }

    /** Claim step (in the claim route's transaction): the due deliveries this instance sends now. */
    public List<HostWebhookDeliveries.Claimed> claim() {
        Instant now = Instant.now();
        return deliveries.claim(properties.getBatchSize(), Math.max(1, properties.getMaxInFlightPerEndpoint()), instance, now,
                now.plus(properties.getLease()));
    }

    /**
     * Sign step (body: a claimed delivery): the CloudEvent as the body, {@code webhook-id} (the CloudEvent id, the
     * same on every attempt), {@code webhook-timestamp} and {@code webhook-signature}, and the URL to post to.
     * Sets the outcome {@code skip} when the delivery or endpoint changed meanwhile and {@code refused} when the
     * URL no longer passes the guard (recorded as a failed attempt, no request).
     */
    public void sign(Exchange exchange) {
        HostWebhookDeliveries.Claimed claimed = exchange.getMessage().getBody(HostWebhookDeliveries.Claimed.class);
        exchange.setProperty(CLAIMED, claimed);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(OUTCOME, "send");
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        var message = deliveries.message(claimed.tenantId(), claimed.id()).orElse(null);
        var endpoint = endpoints.find(claimed.tenantId(), claimed.endpointId()).orElse(null);
        if (message == null || endpoint == null || !endpoint.enabled()) {
            exchange.setProperty(OUTCOME, "skip");
            deliveries.unlock(claimed.tenantId(), claimed.id());
            out.setBody(null);
            return;
        }
        exchange.setProperty(ATTEMPT, (Integer) message.get("attempts") + 1);
        exchange.setProperty(STEP, message.get("scheduleStep"));
        try {
            guard.check(endpoint.url());
        } catch (OutboundUrlGuard.Refused e) {
            exchange.setProperty(OUTCOME, "refused");
            exchange.setProperty(REFUSED, "the URL " + e.getMessage());
            out.setBody(null);
            return;
        }
        String id = message.get("eventId").toString();
        String body = (String) message.get("payload");
        long timestamp = Instant.now().getEpochSecond();
        List<String> secrets = endpoints.signingSecrets(claimed.tenantId(), claimed.endpointId(), Instant.now());
        out.setHeader("webhook-id", id);
        out.setHeader("webhook-timestamp", Long.toString(timestamp));
        out.setHeader("webhook-signature", HostWebhookSignature.header(secrets, id, timestamp, body));
        out.setHeader(Exchange.CONTENT_TYPE, EventPublisher.CLOUDEVENTS_JSON + "; charset=utf-8");
        out.setHeader("User-Agent", "integration-hub-webhooks/1");
        out.setHeader(Exchange.HTTP_METHOD, "POST");
        out.setHeader(Exchange.HTTP_URI, endpoint.url());
        // the bytes that were signed, whatever the HTTP client's default charset
        out.setBody(body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Record step, after the POST (or its failure, in {@link Exchange#EXCEPTION_CAUGHT}): logs the attempt and sets
     * the outcome {@code delivered}, {@code retry}, {@code gone} (410) or {@code exhausted} (no retry left).
     */
    public void record(Exchange exchange) {
        HostWebhookDeliveries.Claimed claimed = exchange.getProperty(CLAIMED, HostWebhookDeliveries.Claimed.class);
        long durationMs = Duration.ofNanos(System.nanoTime() - exchange.getProperty(STARTED, Long.class)).toMillis();
        Integer code = null;
        String error = exchange.getProperty(REFUSED, String.class);
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (error == null && failure != null) {
            error = describe(failure);
        } else if (error == null) {
            code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            if (code == null) {
                error = "no response";
            } else if (code < 200 || code > 299) {
                error = "answered " + code;
            }
        }
        boolean ok = error == null;
        int attempt = exchange.getProperty(ATTEMPT, Integer.class);
        int step = exchange.getProperty(STEP, Integer.class) + 1;
        Instant now = Instant.now();
        String outcome;
        String status;
        Instant next = null;
        List<Duration> schedule = properties.getRetrySchedule();
        if (ok) {
            outcome = "delivered";
            status = HostWebhookDeliveries.DELIVERED;
        } else if (code != null && code == 410) {
            outcome = "gone";
            status = HostWebhookDeliveries.FAILED;
        } else if (step < schedule.size()) {
            outcome = "retry";
            status = HostWebhookDeliveries.PENDING;
            next = now.plus(schedule.get(step));
        } else {
            outcome = "exhausted";
            status = HostWebhookDeliveries.FAILED;
        }
        String logged = error;
        Integer loggedCode = code;
        Instant nextAttempt = next;
        tx.executeWithoutResult(s -> {
            deliveries.recordAttempt(claimed.tenantId(), claimed.id(), attempt, step, now, loggedCode, durationMs, logged, status,
                    nextAttempt);
            endpoints.recordOutcome(claimed.tenantId(), claimed.endpointId(), ok, now);
        });
        exchange.setProperty(OUTCOME, outcome);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
        if ("exhausted".equals(outcome)) {
            // disabled only when the endpoint has not answered 2xx to anything since its failures began
            boolean stillFailing = endpoints.find(claimed.tenantId(), claimed.endpointId())
                    .map(e -> e.failingSince() != null).orElse(false);
            exchange.setProperty(REASON, stillFailing ? "failed every attempt of the retry schedule (last: " + error + ")" : null);
        } else if ("gone".equals(outcome)) {
            exchange.setProperty(REASON, "answered 410 Gone");
        }
    }

    /** Disable step: the endpoint is disabled, with an event to the tenant and a log alert. */
    public void disable(Exchange exchange) {
        String reason = exchange.getProperty(REASON, String.class);
        if (reason == null) {
            return;
        }
        HostWebhookDeliveries.Claimed claimed = exchange.getProperty(CLAIMED, HostWebhookDeliveries.Claimed.class);
        boolean changed = Boolean.TRUE.equals(tx.execute(s -> {
            if (!endpoints.disable(claimed.tenantId(), claimed.endpointId(), reason)) {
                return false;
            }
            Map<String, Object> data = new HashMap<>();
            data.put("endpointId", claimed.endpointId().toString());
            data.put("reason", reason);
            data.put("deliveryId", claimed.id().toString());
            events.publish(ENDPOINT_TOPIC, claimed.endpointId().toString(), DISABLED_TYPE, "webhook-endpoints/"
                    + claimed.endpointId(), claimed.tenantId(), data);
            return true;
        }));
        if (changed) {
            // The operators' alert; tenants with a Slack connection get the event in their channel (routes/slack/alerts).
            LOG.warn("ALERT host webhook endpoint {} of tenant {} disabled: {}", claimed.endpointId(), claimed.tenantId(),
                    reason);
        }
    }

    /** A stopping instance gives its claimed deliveries back, so a restarted or other instance sends them at once. */
    @Override
    public void destroy() {
        try {
            int n = deliveries.release(instance);
            if (n > 0) {
                LOG.info("Gave back {} host webhook deliveries that were not sent before the stop", n);
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not give back claimed host webhook deliveries (their lease expires)", e);
        }
    }

    private static String describe(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }
}
