package io.integrationhub.platform.connections;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.api.Problem.FieldError;
import io.integrationhub.platform.api.ProblemException;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;

/** REST operations on connections (route beans named by operationId). */
@Component("connectionsApi")
public class ConnectionsApi {

    private final ApiExchange api;
    private final ConnectionService connections;
    private final ProviderCatalog catalog;

    public ConnectionsApi(ApiExchange api, ConnectionService connections, ProviderCatalog catalog) {
        this.api = api;
        this.connections = connections;
        this.catalog = catalog;
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

    public void createConnection(Exchange exchange) {
        api.tenant(exchange);
        JsonNode body = api.body(exchange);
        ProviderDefinition provider = connections.provider(body.path("provider").asText());
        if (!catalog.isConfigured(provider)) {
            throw ProblemException.unprocessable("The hub has no client id for '" + provider.key()
                    + "'. An operator must set " + catalog.missingSetting(provider) + " (and its client secret).",
                    new FieldError("/provider", "provider not configured"));
        }
        throw ProblemException.unprocessable("Connecting '" + provider.key() + "' is not available on this hub yet.",
                new FieldError("/provider", "connection flow not available"));
    }
}
