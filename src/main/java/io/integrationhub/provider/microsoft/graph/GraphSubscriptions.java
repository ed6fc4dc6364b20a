package io.integrationhub.provider.microsoft.graph;

import java.time.Instant;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls.Caller;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls.Created;
import io.integrationhub.provider.microsoft.graph.GraphClient.Reply;
import io.integrationhub.provider.microsoft.graph.GraphClient.Request;

/**
 * Graph change-notification subscriptions for the platform's subscription lifecycle, on the wire as Graph documents
 * them: {@code POST /subscriptions}, {@code PATCH /subscriptions/{id}}, {@code POST /subscriptions/{id}/reauthorize}
 * and {@code DELETE /subscriptions/{id}} — through {@link GraphClient}, so through the family's provider endpoint
 * ({@code direct:microsoft.provider}) with the access token the registry holds for the connection.
 */
@Component
public class GraphSubscriptions implements ProviderSubscriptionCalls.Graph {

    private final GraphClient graph;
    private final ObjectMapper mapper;

    public GraphSubscriptions(GraphClient graph, ObjectMapper mapper) {
        this.graph = graph;
        this.mapper = mapper;
    }

    private GraphClient.Session session(Caller caller) {
        return graph.session(caller.provider(), caller.tenantId(), caller.connectionId(), caller.bearer());
    }

    private static String subscription(String id) {
        return "/subscriptions" + GraphClient.encodePath(id);
    }

    @Override
    public Created create(Caller caller, String resource, String changeType, String notificationUrl, String clientState,
            Instant expiration) {
        ObjectNode body = mapper.createObjectNode();
        body.put("changeType", changeType);
        body.put("notificationUrl", notificationUrl);
        body.put("lifecycleNotificationUrl", notificationUrl);
        body.put("resource", resource);
        body.put("expirationDateTime", expiration.toString());
        body.put("clientState", clientState);
        JsonNode created = session(caller).post("/subscriptions", body);
        return new Created(created.path("id").asText(), null, Instant.parse(created.path("expirationDateTime").asText()));
    }

    @Override
    public Created renew(Caller caller, String subscriptionId, Instant expiration) {
        GraphClient.Session session = session(caller);
        ObjectNode body = mapper.createObjectNode().put("expirationDateTime", expiration.toString());
        Reply renewed = session.send(Request.of("PATCH", session.url(subscription(subscriptionId))).json(body),
                status -> status == 404);
        if (renewed.status() == 404) {
            return null;
        }
        return new Created(subscriptionId, null, Instant.parse(renewed.json().path("expirationDateTime").asText()));
    }

    @Override
    public boolean reauthorize(Caller caller, String subscriptionId) {
        GraphClient.Session session = session(caller);
        Reply reply = session.send(Request.of("POST", session.url(subscription(subscriptionId) + "/reauthorize")),
                status -> status == 404);
        return reply.status() != 404;
    }

    @Override
    public void delete(Caller caller, String subscriptionId) {
        GraphClient.Session session = session(caller);
        session.send(Request.of("DELETE", session.url(subscription(subscriptionId))), status -> status < 500);
    }
}
