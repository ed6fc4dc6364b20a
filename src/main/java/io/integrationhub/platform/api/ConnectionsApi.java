package io.integrationhub.platform.api;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.oauth.ConnectFlow;

/** REST operations on connections (route beans named by operationId). */
@Component("connectionsApi")
public class ConnectionsApi {

    private final ApiExchange api;
    private final ConnectionService connections;
    private final ConnectFlow connectFlow;

    public ConnectionsApi(ApiExchange api, ConnectionService connections, ConnectFlow connectFlow) {
        this.api = api;
        this.connections = connections;
        this.connectFlow = connectFlow;
    }

    public void listConnections(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        api.respond(exchange, 200, connections.list(tenant, api.queryParam(exchange, "provider"),
                api.queryParam(exchange, "status")));
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

    /** oauth2: pending + authorizeUrl; api_key: checked against the provider (see {@link ConnectFlow}). */
    public void createConnection(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        api.respond(exchange, 201, connectFlow.create(tenant, api.body(exchange)));
    }
}
