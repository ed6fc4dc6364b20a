package io.integrationhub.platform.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.deadletter.DeadLetterQueries;
import io.integrationhub.platform.deadletter.DeadLetterQueries.DeadLetter;

/** REST operations on the webhook inbox and the dead letters (route beans named by operationId). */
@Component("webhookEventsApi")
public class WebhookEventsApi {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 200;

    private final ApiExchange api;
    private final WebhookEventStore events;
    private final DeadLetterQueries deadLetters;
    private final ProducerTemplate producer;
    private final ObjectMapper mapper;

    public WebhookEventsApi(ApiExchange api, WebhookEventStore events, DeadLetterQueries deadLetters,
            ProducerTemplate producer, ObjectMapper mapper) {
        this.api = api;
        this.events = events;
        this.deadLetters = deadLetters;
        this.producer = producer;
        this.mapper = mapper;
    }

    public void listWebhookEvents(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        int limit = api.limitParam(exchange, DEFAULT_LIMIT, MAX_LIMIT);
        Cursor cursor = Cursor.parse(api.queryParam(exchange, "cursor"));
        List<WebhookEvent> page = events.list(tenant, api.queryParam(exchange, "status"), api.queryParam(exchange, "provider"),
                cursor == null ? null : cursor.at(), cursor == null ? null : cursor.id(), limit + 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (WebhookEvent e : page.subList(0, Math.min(limit, page.size()))) {
            items.add(view(e));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", items);
        body.put("nextCursor", page.size() > limit ? new Cursor(page.get(limit - 1).receivedAt(), page.get(limit - 1).id())
                .encode() : null);
        api.respond(exchange, 200, body);
    }

    public void listDeadLetters(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        int limit = api.limitParam(exchange, DEFAULT_LIMIT, MAX_LIMIT);
        Cursor cursor = Cursor.parse(api.queryParam(exchange, "cursor"));
        List<DeadLetter> page = deadLetters.list(tenant, api.queryParam(exchange, "status"),
                cursor == null ? null : cursor.at(), cursor == null ? null : cursor.id(), limit + 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deadLetters", page.subList(0, Math.min(limit, page.size())));
        body.put("nextCursor", page.size() > limit ? new Cursor(page.get(limit - 1).createdAt(), page.get(limit - 1).id())
                .encode() : null);
        api.respond(exchange, 200, body);
    }

    /**
     * Replays a dead-lettered webhook event: the event goes back to {@code queued} and onto its topic.
     * Idempotent: a dead letter already replayed is answered as it is, without a second publication.
     */
    public void replayDeadLetter(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "deadLetterId");
        DeadLetter letter = deadLetters.find(tenant, id).orElseThrow(() -> ProblemException.notFound("Dead letter " + id));
        if (!WebhookPipeline.SOURCE_TYPE.equals(letter.sourceType()) || letter.sourceId() == null) {
            throw ProblemException.unprocessable("Only dead-lettered webhook events can be replayed here; this one came from "
                    + (letter.sourceType() == null ? "route " + letter.routeId() : letter.sourceType()) + ".");
        }
        if (deadLetters.markReplayed(tenant, id)) {
            UUID eventId = UUID.fromString(letter.sourceId());
            if (events.requeueFailed(tenant, eventId)) {
                events.find(eventId).ifPresent(e -> producer.sendBody(WebhookRecovery.PUBLISH, e));
            }
        }
        api.respond(exchange, 202, deadLetters.find(tenant, id).orElseThrow());
    }

    private Map<String, Object> view(WebhookEvent e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", e.id());
        v.put("provider", e.provider());
        v.put("connectionId", e.connectionId());
        v.put("eventType", e.eventType());
        v.put("externalEventId", e.externalEventId());
        v.put("status", e.status());
        v.put("error", e.error());
        v.put("attempts", e.attempts());
        v.put("receivedAt", e.receivedAt());
        v.put("processedAt", e.processedAt());
        try {
            v.put("payload", mapper.readTree(e.payload()));
        } catch (JsonProcessingException ex) {
            v.put("payload", null);
        }
        return v;
    }

    /** Keyset cursor (timestamp, id) of the last item of a page; opaque to clients. */
    record Cursor(Instant at, UUID id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((at + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor parse(String raw) {
            if (raw == null) {
                return null;
            }
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8).split("\\|");
                return new Cursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw ProblemException.badRequest("cursor is not one this API returned", new FieldError("cursor", "invalid"));
            }
        }
    }
}
