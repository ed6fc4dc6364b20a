package io.integrationhub.platform.hostwebhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.security.OutboundUrlGuard;

/** REST operations on a tenant's webhook endpoints and their deliveries (route beans named by operationId). */
@Component("webhookEndpointsApi")
public class WebhookEndpointsApi {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 200;

    private final ApiExchange api;
    private final HostWebhookEndpoints endpoints;
    private final HostWebhookDeliveries deliveries;
    private final HostWebhookHttp.UrlGuard guard;
    private final HostWebhookProperties properties;

    public WebhookEndpointsApi(ApiExchange api, HostWebhookEndpoints endpoints, HostWebhookDeliveries deliveries,
            HostWebhookHttp.UrlGuard guard, HostWebhookProperties properties) {
        this.api = api;
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.guard = guard;
        this.properties = properties;
    }

    public void listWebhookEndpoints(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        List<Map<String, Object>> items = endpoints.list(tenant).stream().map(WebhookEndpointsApi::view).toList();
        api.respond(exchange, 200, Map.of("endpoints", items));
    }

    public void createWebhookEndpoint(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        JsonNode body = api.body(exchange);
        String url = checkedUrl(body.path("url").asText());
        List<String> events = checkedEvents(body.path("events"));
        String description = body.hasNonNull("description") ? body.get("description").asText() : null;
        boolean enabled = !body.has("enabled") || body.get("enabled").asBoolean(true);
        HostWebhookEndpoints.Created created = endpoints.create(tenant, url, events, description, enabled);
        Map<String, Object> view = view(created.endpoint());
        view.put("secret", created.secret());
        api.respond(exchange, 201, view);
    }

    public void getWebhookEndpoint(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        api.respond(exchange, 200, view(found(tenant, api.uuidParam(exchange, "endpointId"))));
    }

    public void updateWebhookEndpoint(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "endpointId");
        JsonNode body = api.body(exchange);
        found(tenant, id);
        String url = body.has("url") ? checkedUrl(body.get("url").asText()) : null;
        List<String> events = body.has("events") ? checkedEvents(body.get("events")) : null;
        boolean descriptionSet = body.has("description");
        String description = body.hasNonNull("description") ? body.get("description").asText() : null;
        Boolean enabled = body.has("enabled") ? body.get("enabled").asBoolean() : null;
        HostWebhookEndpoints.Endpoint updated = endpoints.update(tenant, id, url, events, description, descriptionSet, enabled)
                .orElseThrow(() -> notFound(id));
        api.respond(exchange, 200, view(updated));
    }

    public void deleteWebhookEndpoint(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "endpointId");
        if (!endpoints.delete(tenant, id)) {
            throw notFound(id);
        }
        api.noContent(exchange);
    }

    @Transactional
    public void rotateWebhookEndpointSecret(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "endpointId");
        Instant graceEnd = Instant.now().plus(properties.getSecretRotationGrace()).truncatedTo(ChronoUnit.SECONDS);
        String secret = endpoints.rotate(tenant, id, graceEnd).orElseThrow(() -> notFound(id));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("secret", secret);
        body.put("previousSecretExpiresAt", graceEnd.toString());
        api.respond(exchange, 200, body);
    }

    public void listWebhookDeliveries(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "endpointId");
        found(tenant, id);
        int limit = api.limitParam(exchange, DEFAULT_LIMIT, MAX_LIMIT);
        String status = api.queryParam(exchange, "status");
        String cursor = api.queryParam(exchange, "cursor");
        Instant beforeAt = null;
        UUID beforeId = null;
        if (cursor != null) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
                beforeAt = Instant.parse(parts[0]);
                beforeId = UUID.fromString(parts[1]);
            } catch (RuntimeException e) {
                throw ProblemException.badRequest("cursor is not one this API returned", new FieldError("cursor", "unknown cursor"));
            }
        }
        List<HostWebhookDeliveries.Delivery> page = deliveries.list(tenant, id, status, beforeAt, beforeId, limit + 1);
        List<HostWebhookDeliveries.Delivery> shown = page.subList(0, Math.min(limit, page.size()));
        Map<UUID, List<HostWebhookDeliveries.Attempt>> attempts = deliveries.attempts(tenant,
                shown.stream().map(HostWebhookDeliveries.Delivery::id).toList());
        List<Map<String, Object>> items = new ArrayList<>();
        shown.forEach(d -> items.add(view(d, attempts.getOrDefault(d.id(), List.of()))));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deliveries", items);
        HostWebhookDeliveries.Delivery last = shown.isEmpty() ? null : shown.get(shown.size() - 1);
        body.put("nextCursor", page.size() > limit ? Base64.getUrlEncoder().withoutPadding().encodeToString(
                (last.createdAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8)) : null);
        api.respond(exchange, 200, body);
    }

    public void resendWebhookDelivery(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "endpointId");
        UUID deliveryId = api.uuidParam(exchange, "deliveryId");
        HostWebhookEndpoints.Endpoint endpoint = found(tenant, id);
        deliveries.find(tenant, id, deliveryId).orElseThrow(() -> ProblemException.notFound("Delivery " + deliveryId));
        if (!endpoint.enabled()) {
            throw ProblemException.unprocessable("The endpoint is disabled (" + endpoint.disabledReason()
                    + "); enable it (PATCH enabled: true) before re-sending.");
        }
        if (!deliveries.resend(tenant, id, deliveryId, Instant.now())) {
            throw ProblemException.conflict("The delivery is being sent right now; ask again once this attempt is recorded.");
        }
        HostWebhookDeliveries.Delivery delivery = deliveries.find(tenant, id, deliveryId).orElseThrow();
        api.respond(exchange, 202, view(delivery, deliveries.attempts(tenant, List.of(deliveryId))
                .getOrDefault(deliveryId, List.of())));
    }

    private HostWebhookEndpoints.Endpoint found(UUID tenant, UUID id) {
        return endpoints.find(tenant, id).orElseThrow(() -> notFound(id));
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("Webhook endpoint " + id);
    }

    private String checkedUrl(String url) {
        try {
            guard.check(url);
            return url;
        } catch (OutboundUrlGuard.Refused e) {
            throw ProblemException.unprocessable("The URL " + e.getMessage() + ".", new FieldError("/url", e.getMessage()));
        }
    }

    private static List<String> checkedEvents(JsonNode node) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String type = node.get(i).asText();
            if (!HostWebhookEvents.known(type)) {
                throw ProblemException.unprocessable("'" + type + "' is no event type of this hub; known: "
                        + String.join(", ", HostWebhookEvents.TYPES) + " (or '*', or a prefix ending in '.*').",
                        new FieldError("/events/" + i, "unknown event type"));
            }
            if (!events.contains(type)) {
                events.add(type);
            }
        }
        if (events.isEmpty()) {
            throw ProblemException.unprocessable("Subscribe to at least one event type.", new FieldError("/events", "empty"));
        }
        return events;
    }

    static Map<String, Object> view(HostWebhookEndpoints.Endpoint e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", e.id());
        v.put("url", e.url());
        v.put("events", e.events());
        v.put("description", e.description());
        v.put("enabled", e.enabled());
        v.put("disabledReason", e.disabledReason());
        v.put("disabledAt", str(e.disabledAt()));
        v.put("previousSecretExpiresAt", e.previousSecretExpiresAt() != null && e.previousSecretExpiresAt().isAfter(Instant.now())
                ? e.previousSecretExpiresAt().toString() : null);
        v.put("createdAt", str(e.createdAt()));
        v.put("updatedAt", str(e.updatedAt()));
        return v;
    }

    private static Map<String, Object> view(HostWebhookDeliveries.Delivery d, List<HostWebhookDeliveries.Attempt> attempts) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", d.id());
        v.put("eventId", d.eventId());
        v.put("eventType", d.eventType());
        v.put("status", d.status());
        v.put("attemptCount", d.attempts());
        v.put("nextAttemptAt", HostWebhookDeliveries.PENDING.equals(d.status()) ? str(d.nextAttemptAt()) : null);
        v.put("lastStatusCode", d.lastStatusCode());
        v.put("lastError", d.lastError());
        v.put("createdAt", str(d.createdAt()));
        v.put("deliveredAt", str(d.deliveredAt()));
        List<Map<String, Object>> log = new ArrayList<>();
        for (HostWebhookDeliveries.Attempt a : attempts) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("attempt", a.attempt());
            entry.put("attemptedAt", str(a.attemptedAt()));
            entry.put("statusCode", a.statusCode());
            entry.put("durationMs", a.durationMs());
            entry.put("error", a.error());
            log.add(entry);
        }
        v.put("attempts", log);
        return v;
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}
