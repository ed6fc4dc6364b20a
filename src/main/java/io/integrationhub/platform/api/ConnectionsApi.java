package io.integrationhub.platform.api;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.oauth.ConnectFlow;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.tenancy.ConnectSession;
import io.integrationhub.platform.tenancy.ConnectSessions;
import io.integrationhub.platform.tenancy.EndUser;

/** REST operations on connections (route beans named by operationId). */
@Component("connectionsApi")
public class ConnectionsApi {

    private final ApiExchange api;
    private final ConnectionService connections;
    private final ConnectFlow connectFlow;
    private final ConnectSessions sessions;

    public ConnectionsApi(ApiExchange api, ConnectionService connections, ConnectFlow connectFlow, ConnectSessions sessions) {
        this.api = api;
        this.sessions = sessions;
        this.connections = connections;
        this.connectFlow = connectFlow;
    }

    /** A connect session sees its own end user's connections whatever {@code endUserId} it asks for. */
    public void listConnections(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        String endUser = api.endUser(exchange) != null ? api.endUser(exchange) : api.queryParam(exchange, "endUserId");
        api.respond(exchange, 200, connections.list(tenant, api.queryParam(exchange, "provider"),
                api.queryParam(exchange, "status"), endUser));
    }

    public void getConnection(Exchange exchange) {
        api.respond(exchange, 200, connections.get(api.tenant(exchange), api.uuidParam(exchange, "id")));
    }

    public void updateConnection(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "id");
        JsonNode body = api.body(exchange);
        api.respond(exchange, 200, connections.patch(tenant, id, body));
    }

    public void deleteConnection(Exchange exchange) {
        api.respond(exchange, 200, connections.disconnect(api.tenant(exchange), api.uuidParam(exchange, "id")));
    }

    /**
     * oauth2: pending + authorizeUrl; api_key: checked against the provider (see {@link ConnectFlow}). With the
     * tenant key the body's {@code endUser} (optional) owns the connection; with a connect session it is always the
     * session's end user, and only the session's providers can be connected.
     */
    public void createConnection(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        JsonNode body = api.body(exchange);
        EndUser endUser = EndUser.from(body.get("endUser"), "/endUser");
        UUID sessionId = api.session(exchange);
        if (sessionId != null) {
            ConnectSession session = sessions.find(tenant, sessionId).orElseThrow();
            if (endUser != null && !endUser.id().equals(session.endUser().id())) {
                throw ProblemException.forbidden("A connect session creates connections for its own end user only.",
                        new FieldError("/endUser/id", "must be the session's end user"));
            }
            if (!session.allows(body.path("provider").asText())) {
                throw ProblemException.forbidden("This connect session does not offer '" + body.path("provider").asText() + "'.",
                        new FieldError("/provider", "must be one of the session's providers: " + session.providers()));
            }
            endUser = session.endUser();
        }
        api.respond(exchange, 201, connectFlow.create(tenant, body, endUser));
    }
}
