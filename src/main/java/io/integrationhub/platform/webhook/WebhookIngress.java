package io.integrationhub.platform.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.deadletter.DeadLetterStore;
import io.integrationhub.platform.webhook.Signatures;
import io.integrationhub.platform.webhook.WebhookVerifier;
import io.integrationhub.platform.web.BufferedBodyRequest;
import io.integrationhub.platform.ids.Uuids;

/**
 * Route steps of {@code webhooks.ingress}: read the raw request, store the verified events in the
 * inbox (deduplicated per connection) together with their outbox rows, and answer the provider once
 * that one transaction committed ({@link WebhookGroupCommit}: concurrent requests share it). Kafka is not on the way: the outbox relay hands the events on.
 */
@Component("webhookIngress")
public class WebhookIngress {

    public static final String STORED = "HubWebhookStored";

    private final ObjectMapper mapper;
    private final WebhookPipeline pipeline;
    private final WebhookGroupCommit groupCommit;

    public WebhookIngress(ObjectMapper mapper, WebhookPipeline pipeline, WebhookGroupCommit groupCommit) {
        this.mapper = mapper;
        this.pipeline = pipeline;
        this.groupCommit = groupCommit;
    }

    /** Captures the request exactly as received; the body is the raw bytes the body filter kept. */
    public void read(Exchange exchange) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (value instanceof String s) {
                headers.put(name.toLowerCase(Locale.ROOT), s);
            }
        });
        byte[] body = rawBody(exchange.getMessage());
        String provider = exchange.getMessage().getHeader("provider", String.class);
        String path = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        int q = path == null ? -1 : path.indexOf('?');
        exchange.setProperty(WebhookVerifier.REQUEST, new WebhookRequest(provider,
                exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "POST", String.class),
                q < 0 ? path : path.substring(0, q), exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class),
                headers, body == null ? new byte[0] : body));
    }

    /**
     * The body's bytes exactly as they arrived (WebhookBodyFilter buffered them): signatures are checked over these, not
     * over a decoded and re-encoded copy. Another message (a test's, a replay's) gives its body as bytes.
     */
    private static byte[] rawBody(Message message) {
        if (message instanceof PlatformHttpMessage http) {
            byte[] raw = BufferedBodyRequest.bodyOf(http.getRequest());
            if (raw != null) {
                return raw;
            }
        }
        return message.getBody(byte[].class);
    }

    public void unknownProvider(Exchange exchange) {
        throw WebhookRejection.unknownProvider(exchange.getMessage().getHeader("provider", String.class));
    }

    /**
     * Stores every event once per target connection, and hands each newly stored one to processing through
     * the outbox — all in ONE transaction, the only durable write before the answer, which also looks up the
     * events' connections (for every request of its group at once). An event of no known connection is stored as
     * {@code ignored}. The body becomes the newly stored (queued) events.
     */
    public List<WebhookEvent> store(Exchange exchange) throws JsonProcessingException {
        WebhookRequest request = exchange.getProperty(WebhookVerifier.REQUEST, WebhookRequest.class);
        WebhookOutcome outcome = exchange.getProperty(WebhookVerifier.OUTCOME, WebhookOutcome.class);
        String headers = mapper.writeValueAsString(safeHeaders(request.headers()));
        List<WebhookGroupCommit.Event> events = new ArrayList<>(outcome.events().size());
        Instant now = Instant.now();
        for (InboundEvent event : outcome.events()) {
            events.add(new Stored(request.provider(), event, mapper.writeValueAsString(event.payload()), now));
        }
        // One durable write, shared with the requests arriving at the same time (group commit); returns once committed.
        List<WebhookEvent> queued = groupCommit.write(events, headers);
        exchange.setProperty(STORED, queued.size());
        return queued;
    }

    /** An inbound event as the group commit stores it, once its connections are known. */
    private final class Stored implements WebhookGroupCommit.Event {
        private final String provider;
        private final InboundEvent event;
        private final String payload;
        private final Instant now;
        private final String key;

        Stored(String provider, InboundEvent event, String payload, Instant now) {
            this.provider = provider;
            this.event = event;
            this.payload = payload;
            this.now = now;
            this.key = event.eventKey().length() > 180 ? "sha256:" + Signatures.sha256Hex(Signatures.utf8(event.eventKey()))
                    : event.eventKey();
        }

        @Override
        public String provider() {
            return provider;
        }

        @Override
        public String accountId() {
            return event.accountId();
        }

        @Override
        public List<WebhookGroupCommit.Target> known() {
            return event.subscription() == null ? null
                    : List.of(new WebhookGroupCommit.Target(event.subscription().tenantId(), event.subscription().connectionId()));
        }

        @Override
        public List<WebhookGroupCommit.Row> rows(List<WebhookGroupCommit.Target> targets) {
            if (targets.isEmpty()) {
                String scope = event.accountId() == null ? "none" : "account:" + event.accountId();
                WebhookEvent row = new WebhookEvent(Uuids.timeOrdered(), null, null, provider, event.eventType(),
                        event.eventKey(), WebhookEvent.IGNORED, payload,
                        "No connection for " + provider + " account " + event.accountId(), 0, 0, now, now);
                return List.of(new WebhookGroupCommit.Row(row, WebhookEventStore.truncate(scope, 60) + ":" + key,
                        event.accountId(), null));
            }
            List<WebhookGroupCommit.Row> rows = new ArrayList<>(targets.size());
            for (WebhookGroupCommit.Target target : targets) {
                WebhookEvent row = new WebhookEvent(Uuids.timeOrdered(), target.tenantId(), target.connectionId(),
                        provider, event.eventType(), event.eventKey(), WebhookEvent.QUEUED, payload, null, 0, 0, now, null);
                rows.add(new WebhookGroupCommit.Row(row, target.connectionId() + ":" + key, event.accountId(),
                        pipeline.outboxMessage(row, event.payload())));
            }
            return rows;
        }
    }

    /** Answers the provider: 200 (Graph 202) with the handshake body if any, and no request header echoed. */
    public void acknowledge(Exchange exchange) {
        WebhookOutcome outcome = exchange.getProperty(WebhookVerifier.OUTCOME, WebhookOutcome.class);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, outcome.ackStatus());
        if (outcome.body() != null && !outcome.body().isEmpty()) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, outcome.contentType());
            exchange.getMessage().setBody(outcome.body());
        } else {
            exchange.getMessage().setBody("");
        }
    }

    /** Answers a refused request with its problem document. */
    public void reject(Exchange exchange, Problem problem) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, Problem.MEDIA_TYPE);
        try {
            exchange.getMessage().setBody(mapper.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> safeHeaders(Map<String, String> headers) {
        Map<String, String> safe = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (!DeadLetterStore.isSecretHeader(name) && !name.startsWith("camel") && !name.equals("provider")) {
                safe.put(name, value);
            }
        });
        return safe;
    }
}
