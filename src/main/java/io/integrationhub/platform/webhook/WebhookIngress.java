package io.integrationhub.platform.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.deadletter.DeadLetterStore;
import io.integrationhub.platform.webhook.Signatures;
import io.integrationhub.platform.webhook.WebhookVerifier;
import io.integrationhub.platform.ids.Uuids;

/**
 * Route steps of {@code webhooks.ingress}: read the raw request, store the verified events in the
 * inbox (deduplicated per connection) together with their outbox rows, and answer the provider once
 * that one transaction committed ({@link WebhookGroupCommit}: concurrent requests share it). Kafka is not on the way: the outbox relay hands the events on.
 */
@Component("webhookIngress")
public class WebhookIngress {

    public static final String STORED = "HubWebhookStored";

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final WebhookPipeline pipeline;
    private final WebhookGroupCommit groupCommit;

    public WebhookIngress(NamedParameterJdbcTemplate jdbc, ObjectMapper mapper, WebhookPipeline pipeline,
            WebhookGroupCommit groupCommit) {
        this.jdbc = jdbc;
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
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String provider = exchange.getMessage().getHeader("provider", String.class);
        String path = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        int q = path == null ? -1 : path.indexOf('?');
        exchange.setProperty(WebhookVerifier.REQUEST, new WebhookRequest(provider,
                exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "POST", String.class),
                q < 0 ? path : path.substring(0, q), exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class),
                headers, body == null ? new byte[0] : body));
    }

    public void unknownProvider(Exchange exchange) {
        throw WebhookRejection.unknownProvider(exchange.getMessage().getHeader("provider", String.class));
    }

    public boolean hasEvents(Exchange exchange) {
        return !exchange.getProperty(WebhookVerifier.OUTCOME, WebhookOutcome.class).isHandshake();
    }

    /**
     * Stores every event once per target connection, and hands each newly stored one to processing through
     * the outbox — all in ONE transaction, the only durable write before the answer. An event of no known
     * connection is stored as {@code ignored}. The body becomes the newly stored (queued) events.
     */
    public List<WebhookEvent> store(Exchange exchange) throws JsonProcessingException {
        WebhookRequest request = exchange.getProperty(WebhookVerifier.REQUEST, WebhookRequest.class);
        WebhookOutcome outcome = exchange.getProperty(WebhookVerifier.OUTCOME, WebhookOutcome.class);
        String headers = mapper.writeValueAsString(safeHeaders(request.headers()));
        List<WebhookGroupCommit.Row> rows = new ArrayList<>();
        Instant now = Instant.now();
        for (InboundEvent event : outcome.events()) {
            String payload = mapper.writeValueAsString(event.payload());
            String key = event.eventKey().length() > 180 ? "sha256:" + Signatures.sha256Hex(Signatures.utf8(event.eventKey()))
                    : event.eventKey();
            List<Target> targets = targets(request.provider(), event);
            if (targets.isEmpty()) {
                String scope = event.accountId() == null ? "none" : "account:" + event.accountId();
                WebhookEvent row = new WebhookEvent(Uuids.timeOrdered(), null, null, request.provider(), event.eventType(),
                        event.eventKey(), WebhookEvent.IGNORED, payload,
                        "No connection for " + request.provider() + " account " + event.accountId(), 0, 0, now, now);
                rows.add(new WebhookGroupCommit.Row(row, WebhookEventStore.truncate(scope, 60) + ":" + key,
                        event.accountId(), null));
                continue;
            }
            for (Target target : targets) {
                WebhookEvent row = new WebhookEvent(Uuids.timeOrdered(), target.tenantId(), target.connectionId(),
                        request.provider(), event.eventType(), event.eventKey(), WebhookEvent.QUEUED, payload, null, 0, 0,
                        now, null);
                rows.add(new WebhookGroupCommit.Row(row, target.connectionId() + ":" + key, event.accountId(),
                        pipeline.outboxMessage(row, event.payload())));
            }
        }
        // One durable write, shared with the requests arriving at the same time (group commit); returns once committed.
        List<WebhookEvent> queued = groupCommit.write(rows, headers);
        exchange.setProperty(STORED, queued.size());
        return queued;
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

    private record Target(UUID tenantId, UUID connectionId) {
    }

    /**
     * The connections an event belongs to: its subscription's, or every live connection of the
     * provider account (two tenants may connect the same account). A cross-tenant lookup by design:
     * the provider, not a tenant, is calling, and the verified signature is what authorises it.
     */
    private List<Target> targets(String provider, InboundEvent event) {
        if (event.subscription() != null) {
            return List.of(new Target(event.subscription().tenantId(), event.subscription().connectionId()));
        }
        if (event.accountId() == null) {
            return List.of();
        }
        return jdbc.query("SELECT tenant_id, id FROM connections WHERE provider = :provider AND account_id = :account "
                + "AND status <> 'disconnected' ORDER BY created_at", Map.of("provider", provider, "account", event.accountId()),
                (rs, i) -> new Target(rs.getObject("tenant_id", UUID.class), rs.getObject("id", UUID.class)));
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
