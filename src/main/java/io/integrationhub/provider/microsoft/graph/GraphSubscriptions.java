package io.integrationhub.provider.microsoft.graph;

import java.time.Instant;
import java.util.Map;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls.Caller;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls.Created;
import io.integrationhub.provider.microsoft.graph.GraphClient.Reply;

/**
 * Graph change-notification subscriptions for the platform's subscription lifecycle. The calls are the routes
 * {@code direct:microsoft.subscription.create|renew|reauthorize|delete} (routes/microsoft/subscriptions.camel.yaml:
 * the Graph paths, the request body mapping and the provider endpoint {@code direct:microsoft.provider}) with the
 * access token the registry holds for the connection; this class only reads Graph's answers for the registry
 * (a 404 on renew or reauthorize means the subscription is gone and must be re-created).
 */
@Component
public class GraphSubscriptions implements ProviderSubscriptionCalls.Graph {

    static final String CREATE = "direct:microsoft.subscription.create";
    static final String RENEW = "direct:microsoft.subscription.renew";
    static final String REAUTHORIZE = "direct:microsoft.subscription.reauthorize";
    static final String DELETE = "direct:microsoft.subscription.delete";
    private static final String ID = "GraphSubscriptionId";

    private final GraphClient graph;
    private final ObjectMapper mapper;

    public GraphSubscriptions(GraphClient graph, ObjectMapper mapper) {
        this.graph = graph;
        this.mapper = mapper;
    }

    private Reply call(String route, Caller caller, Map<String, Object> properties, String body) {
        return graph.route(route, graph.session(caller.provider(), caller.tenantId(), caller.connectionId(),
                caller.bearer()), properties, body);
    }

    @Override
    public Created create(Caller caller, String resource, String changeType, String notificationUrl, String clientState,
            Instant expiration) {
        String request = mapper.createObjectNode().put("resource", resource).put("changeType", changeType)
                .put("notificationUrl", notificationUrl).put("clientState", clientState)
                .put("expiration", expiration.toString()).toString();
        JsonNode created = call(CREATE, caller, Map.of(), request).json();
        return new Created(created.path("id").asText(), null, Instant.parse(created.path("expirationDateTime").asText()));
    }

    @Override
    public Created renew(Caller caller, String subscriptionId, Instant expiration) {
        Reply renewed = call(RENEW, caller, Map.of(ID, subscriptionId, "GraphExpiration", expiration.toString()), null);
        if (renewed.status() == 404) {
            return null;
        }
        return new Created(subscriptionId, null, Instant.parse(renewed.json().path("expirationDateTime").asText()));
    }

    @Override
    public boolean reauthorize(Caller caller, String subscriptionId) {
        return call(REAUTHORIZE, caller, Map.of(ID, subscriptionId), null).status() != 404;
    }

    @Override
    public void delete(Caller caller, String subscriptionId) {
        call(DELETE, caller, Map.of(ID, subscriptionId), null);
    }
}
