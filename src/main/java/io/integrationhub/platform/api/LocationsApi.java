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
 * {@code GET /api/v1/connections/{id}/locations}: the provider's locations (stores, sites) a connection may be narrowed
 * to, answered live by the family's route {@code direct:<family>.locations} (Square: {@code GET /v2/locations}).
 */
@Component("locationsApi")
public class LocationsApi {

    private final ApiExchange api;
    private final ConnectionService connections;
    private final RouteFamilies families;

    public LocationsApi(ApiExchange api, ConnectionService connections, RouteFamilies families) {
        this.api = api;
        this.connections = connections;
        this.families = families;
    }

    public void listLocations(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        Connection connection = connections.get(tenant, api.uuidParam(exchange, "id"));
        if (connection.status() != ConnectionStatus.ACTIVE) {
            throw ProblemException.unprocessable("The connection is " + connection.status().wire() + ".",
                    new FieldError("/status", connection.status().wire()));
        }
        api.respond(exchange, 200, families.listing(connection.provider(), "locations", tenant, connection.id(),
                connection.config()).orElseThrow(() -> ProblemException.unprocessable("A " + connection.provider()
                        + " connection has no locations to choose from.", new FieldError("provider", connection.provider()))));
    }
}
