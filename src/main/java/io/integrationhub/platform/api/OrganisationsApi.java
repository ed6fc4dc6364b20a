package io.integrationhub.platform.api;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.family.RouteFamilies;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;

/**
 * {@code GET /api/v1/connections/{id}/organisations}: the organisations a connection's grant reaches (Xero tenants),
 * from its family's route {@code direct:<family>.organisations}; the choice is the connection's {@code config}.
 */
@Component("organisationsApi")
public class OrganisationsApi {

    private final ApiExchange api;
    private final ConnectionService connections;
    private final RouteFamilies families;

    public OrganisationsApi(ApiExchange api, ConnectionService connections, RouteFamilies families) {
        this.api = api;
        this.connections = connections;
        this.families = families;
    }

    public void listOrganisations(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        Connection connection = connections.get(tenant, api.uuidParam(exchange, "id"));
        if (connection.status() != ConnectionStatus.ACTIVE && connection.status() != ConnectionStatus.ERROR) {
            throw ProblemException.unprocessable("The connection is " + connection.status().wire() + ".",
                    new FieldError("/status", connection.status().wire()));
        }
        api.respond(exchange, 200, families.organisations(tenant, connection).orElseThrow(() ->
                ProblemException.unprocessable("A " + connection.provider() + " connection has no organisations to choose from.",
                        new FieldError("provider", connection.provider()))));
    }
}
