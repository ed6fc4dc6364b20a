package io.integrationhub.provider.microsoft.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;

/**
 * {@code /subscriptions}: create, renew (PATCH), reauthorize, delete (providers.md §1.6); and delivery of
 * basic change notifications to a subscription's {@code notificationUrl} when a simulated resource changes.
 * The validation handshake is not performed (the hub's own handshake is covered by the webhook tests).
 */
public final class GraphSubscriptionsSim {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final GraphSimulator sim;
    private final Map<String, ObjectNode> subscriptions = new ConcurrentHashMap<>();

    GraphSubscriptionsSim(GraphSimulator sim) {
        this.sim = sim;
        sim.on("POST", "/subscriptions", (r, m) -> {
            JsonNode body = r.json(sim.mapper());
            for (String field : new String[] {"changeType", "notificationUrl", "resource", "expirationDateTime"}) {
                if (!body.hasNonNull(field)) {
                    return Reply.error(400, "InvalidRequest", "The '" + field + "' property is required.");
                }
            }
            if (body.path("clientState").asText("").length() > 128) {
                return Reply.error(400, "InvalidRequest", "clientState is longer than 128 characters.");
            }
            ObjectNode s = ((ObjectNode) body).deepCopy();
            s.put("id", java.util.UUID.randomUUID().toString());
            s.put("applicationId", "sandbox-client");
            s.put("creatorId", "6e7b768e-07e2-4810-8459-485f84f8f204");
            s.put("latestSupportedTlsVersion", "v1_2");
            subscriptions.put(s.get("id").asText(), s);
            return Reply.json(201, s);
        });
        sim.on("PATCH", "/subscriptions/([^/]+)", (r, m) -> {
            ObjectNode s = subscriptions.get(m.group(1));
            if (s == null) {
                return Reply.error(404, "ResourceNotFound", "The object was not found.");
            }
            JsonNode body = r.json(sim.mapper());
            if (body.hasNonNull("expirationDateTime")) {
                s.put("expirationDateTime", body.get("expirationDateTime").asText());
            }
            return Reply.json(200, s);
        });
        sim.on("POST", "/subscriptions/([^/]+)/reauthorize", (r, m) -> subscriptions.containsKey(m.group(1))
                ? Reply.empty(200) : Reply.error(404, "ResourceNotFound", "The object was not found."));
        sim.on("DELETE", "/subscriptions/([^/]+)", (r, m) -> subscriptions.remove(m.group(1)) != null
                ? Reply.empty(204) : Reply.error(404, "ResourceNotFound", "The object was not found."));
    }

    /**
     * Posts a basic change notification to every subscription whose resource starts with
     * {@code resourcePrefix} (e.g. {@code me/drive/root}); failures are ignored, as Graph would retry later.
     */
    public void notify(String resourcePrefix, String changeType, String resourceId) {
        for (ObjectNode s : subscriptions.values()) {
            String resource = s.path("resource").asText().replaceFirst("^/", "");
            if (!resource.toLowerCase().startsWith(resourcePrefix.toLowerCase())) {
                continue;
            }
            ObjectNode root = sim.mapper().createObjectNode();
            ArrayNode value = root.putArray("value");
            ObjectNode n = value.addObject();
            n.put("id", java.util.UUID.randomUUID().toString());
            n.put("subscriptionId", s.path("id").asText());
            n.put("subscriptionExpirationDateTime", s.path("expirationDateTime").asText());
            n.put("clientState", s.path("clientState").asText(null));
            n.put("changeType", changeType);
            n.put("resource", resource);
            n.put("tenantId", "00000000-0000-4000-8000-000000000001");
            n.putObject("resourceData").put("id", resourceId).put("@odata.id", resource + "/" + resourceId);
            HttpRequest request = HttpRequest.newBuilder(URI.create(s.path("notificationUrl").asText()))
                    .timeout(Duration.ofSeconds(3)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(root.toString())).build();
            CLIENT.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        }
    }

    /** The simulator's subscriptions (tests). */
    public Map<String, ObjectNode> subscriptions() {
        return subscriptions;
    }

}
