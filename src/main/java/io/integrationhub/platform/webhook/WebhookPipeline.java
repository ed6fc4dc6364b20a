package io.integrationhub.platform.webhook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.deadletter.DeadLetterStore;
import io.integrationhub.platform.events.EventPublisher;
import io.integrationhub.platform.events.Outbox;
import io.integrationhub.platform.events.OutboxMessage;
import io.integrationhub.platform.tenancy.TenantAuthFilter;

/**
 * Route steps between the inbox and the provider families' handlers.
 * <p>
 * Hand-off: a stored event becomes a CloudEvent on {@code hub.webhooks.<provider>}, keyed by
 * connection id, with the tenant/connection/source as record headers (the dead-letter channel keeps
 * the original record, so a dead letter knows where it came from). It is written to the outbox in the
 * transaction that stores the event; the outbox relay sends it to Kafka.
 * <p>
 * Processing: {@link #claim} takes the event (a conditional update — a redelivered record finds it
 * taken and is skipped), the body becomes the provider's event JSON, and the handler is chosen by
 * convention: {@code direct:webhook.<provider>.<event type>}, else {@code direct:webhook.<provider>}.
 * With neither, the event is {@code ignored} with the reason. The outcome is written when the unit of
 * work ends: {@code processed}, {@code ignored}, or {@code failed} after the retries were exhausted.
 */
@Component("webhookPipeline")
public class WebhookPipeline {

    public static final String TOPIC_PREFIX = "hub.webhooks.";
    /** Catalog keys that receive webhooks; each has its topic {@code hub.webhooks.<key>}. */
    public static final List<String> PROVIDERS = List.of("onedrive", "outlook", "outlook-calendar", "xero", "google-drive",
            "square", "hubspot", "slack");

    public static final String EVENT_ID = "HubWebhookEventId";
    public static final String PROVIDER = "HubProvider";
    public static final String EVENT_TYPE = "HubEventType";
    public static final String HANDLER = "HubWebhookHandler";
    public static final String CLAIMED = "HubWebhookClaimed";
    public static final String IGNORED_REASON = "HubWebhookIgnoredReason";
    public static final String SOURCE_TYPE = "webhook_event";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookPipeline.class);

    private final WebhookEventStore store;
    private final EventPublisher events;
    private final ObjectMapper mapper;
    private final CamelContext camel;
    private final Outbox outbox;
    private final TransactionTemplate tx;

    public WebhookPipeline(WebhookEventStore store, EventPublisher events, ObjectMapper mapper, CamelContext camel,
            Outbox outbox, TransactionTemplate tx) {
        this.store = store;
        this.events = events;
        this.mapper = mapper;
        this.camel = camel;
        this.outbox = outbox;
        this.tx = tx;
    }

    /**
     * Route step of {@code webhooks.publish}: hands a stored event (the body) to processing through the
     * outbox, and marks it {@code queued}, in one transaction.
     */
    public void enqueue(Exchange exchange) throws JsonProcessingException {
        WebhookEvent e = exchange.getMessage().getBody(WebhookEvent.class);
        OutboxMessage message = outboxMessage(e);
        tx.executeWithoutResult(status -> {
            outbox.enqueue(message);
            store.markQueued(e.id());
        });
    }

    /**
     * The Kafka record of a stored event: a CloudEvent ({@code id} = the inbox row id) on
     * {@code hub.webhooks.<provider>}, keyed by connection id, with the tenant/connection/source as record
     * headers (the dead-letter channel keeps the original record, so a dead letter knows where it came from).
     * Nothing of the inbound HTTP request is in it.
     */
    public OutboxMessage outboxMessage(WebhookEvent e) throws JsonProcessingException {
        return outboxMessage(e, mapper.readTree(e.payload()));
    }

    /** As {@link #outboxMessage(WebhookEvent)}, with the event's payload already parsed (the ingress has it). */
    public OutboxMessage outboxMessage(WebhookEvent e, JsonNode payload) {
        ObjectNode data = mapper.createObjectNode(); // a tree: the payload is set into the event, not copied
        data.put("webhookEventId", e.id().toString());
        data.put("provider", e.provider());
        data.put("eventType", e.eventType());
        data.put("connectionId", e.connectionId().toString());
        data.put("externalEventId", e.externalEventId());
        data.set("payload", payload);
        String record = events.envelope(e.id(), "webhook.received", "webhook-events/" + e.id(), e.tenantId(), data);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(EventPublisher.CONTENT_TYPE_HEADER, EventPublisher.CLOUDEVENTS_JSON);
        headers.put(TenantAuthFilter.TENANT_HEADER, e.tenantId().toString());
        headers.put(DeadLetterStore.CONNECTION_HEADER, e.connectionId().toString());
        headers.put(DeadLetterStore.SOURCE_TYPE_HEADER, SOURCE_TYPE);
        headers.put(DeadLetterStore.SOURCE_ID_HEADER, e.id().toString());
        return new OutboxMessage(e.id(), topic(e.provider()), e.connectionId().toString(), record, headers);
    }

    public static String topic(String provider) {
        if (!PROVIDERS.contains(provider)) {
            throw new IllegalArgumentException("no webhook topic for " + provider);
        }
        return TOPIC_PREFIX + provider;
    }

    /** Takes the record's event for processing; {@value #CLAIMED} is false (skip) when it is already taken or finished. */
    public void claim(Exchange exchange) {
        exchange.setProperty(CLAIMED, tryClaim(exchange));
    }

    private boolean tryClaim(Exchange exchange) {
        String source = exchange.getMessage().getHeader(DeadLetterStore.SOURCE_ID_HEADER, String.class);
        UUID id;
        try {
            id = UUID.fromString(source);
        } catch (IllegalArgumentException | NullPointerException e) {
            LOG.warn("Record without a webhook event id on {} skipped", exchange.getMessage().getHeader(KafkaConstants.TOPIC));
            return false;
        }
        Optional<WebhookEvent> row = store.claimAndFind(id);
        if (row.isEmpty()) {
            return false;
        }
        WebhookEvent e = row.get();
        exchange.setProperty(EVENT_ID, id);
        exchange.getMessage().setHeader(EVENT_ID, id.toString());
        exchange.getMessage().setHeader(PROVIDER, e.provider());
        exchange.getMessage().setHeader(EVENT_TYPE, e.eventType());
        exchange.getMessage().setHeader(TenantAuthFilter.TENANT_HEADER, e.tenantId().toString());
        exchange.getMessage().setHeader(DeadLetterStore.CONNECTION_HEADER, e.connectionId().toString());
        exchange.getMessage().setBody(e.payload());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                finish(done, id);
            }
        });
        return true;
    }

    /**
     * Route step: the handler route of the event, {@code direct:webhook.<provider>.<type slug>} or else
     * {@code direct:webhook.<provider>}, as the property {@link #HANDLER}; none: the reason it is ignored
     * ({@link #IGNORED_REASON}). A step, not a {@code method} predicate, which would copy the exchange for each event.
     */
    public void findHandler(Exchange exchange) {
        String provider = exchange.getMessage().getHeader(PROVIDER, String.class);
        String type = exchange.getMessage().getHeader(EVENT_TYPE, String.class);
        String specific = "webhook." + provider + "." + slug(type);
        String family = "webhook." + provider;
        for (String candidate : List.of(specific, family)) {
            if (hasConsumer(candidate)) {
                exchange.setProperty(HANDLER, candidate);
                return;
            }
        }
        exchange.setProperty(IGNORED_REASON, "No handler for " + provider + " events of type '" + type
                + "' (direct:" + specific + " or direct:" + family + ")");
    }

    static String slug(String type) {
        if (type == null || type.isBlank()) {
            return "unknown";
        }
        return type.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-");
    }

    private boolean hasConsumer(String directName) {
        String full = "direct://" + directName;
        if (camel.hasEndpoint(full) == null) { // the registry normalises direct:x and direct://x to one key
            return false; // no route starts there (nor does any step send there): no need to look through the routes
        }
        String shortUri = "direct:" + directName;
        for (Route route : camel.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (uri.equals(full) || uri.equals(shortUri)) {
                return true;
            }
        }
        return false;
    }

    private void finish(Exchange exchange, UUID id) {
        try {
            Exception failure = exchange.getException() != null ? exchange.getException()
                    : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            String handler = exchange.getProperty(HANDLER, String.class);
            if (failure != null) {
                store.finish(id, WebhookEvent.FAILED, handler, failure.getClass().getSimpleName() + ": " + failure.getMessage());
            } else if (exchange.getProperty(IGNORED_REASON) != null) {
                store.finish(id, WebhookEvent.IGNORED, null, exchange.getProperty(IGNORED_REASON, String.class));
            } else {
                store.finish(id, WebhookEvent.PROCESSED, handler, null);
            }
        } catch (RuntimeException e) {
            // The claim lease brings the event back if its outcome could not be written.
            LOG.error("Outcome of webhook event {} not recorded", id, e);
        }
    }
}
