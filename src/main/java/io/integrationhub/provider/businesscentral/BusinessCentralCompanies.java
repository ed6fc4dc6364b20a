package io.integrationhub.provider.businesscentral;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.family.RouteFamilies;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCalls;

/**
 * {@code GET /api/v1/connections/{id}/companies?environment=}: the API steps around the family route
 * {@code direct:business-central.companies} ({@code routes/business-central/api.camel.yaml}) — the tenant's own
 * Business Central connection, active, and a well-formed environment name — and the answer. The listing itself is
 * the route.
 */
@Component("businessCentralCompanies")
public class BusinessCentralCompanies {

    static final String PROVIDER = "business-central";
    private static final Pattern ENVIRONMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,49}");

    private final ApiExchange api;
    private final ConnectionService connections;
    private final ObjectMapper mapper;
    private final String defaultEnvironment;

    public BusinessCentralCompanies(ApiExchange api, ConnectionService connections, ObjectMapper mapper,
            @Value("${hub.providers.business-central.environment:production}") String defaultEnvironment) {
        this.api = api;
        this.connections = connections;
        this.mapper = mapper;
        this.defaultEnvironment = defaultEnvironment;
    }

    /** Checks the request and sets what the family route reads: tenant, connection and config (with the environment). */
    public void prepare(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        Connection connection = connections.get(tenant, api.uuidParam(exchange, "id"));
        if (!PROVIDER.equals(connection.provider())) {
            throw ProblemException.unprocessable("A " + connection.provider() + " connection has no Business Central "
                    + "companies.", new FieldError("provider", connection.provider()));
        }
        if (connection.status() != ConnectionStatus.ACTIVE) {
            throw ProblemException.unprocessable("The connection is " + connection.status().wire() + ".",
                    new FieldError("/status", connection.status().wire()));
        }
        String environment = api.queryParam(exchange, "environment");
        if (environment != null && !ENVIRONMENT.matcher(environment).matches()) {
            throw ProblemException.badRequest("'environment' must be a Business Central environment name",
                    new FieldError("environment", "letters, digits, '-' and '_', at most 50"));
        }
        JsonNode config = connection.config();
        @SuppressWarnings("unchecked")
        Map<String, Object> map = config != null && config.isObject() ? new LinkedHashMap<>(mapper.convertValue(config, Map.class))
                : new LinkedHashMap<>();
        if (environment != null) {
            map.put("environment", environment);
        } else if (!(map.get("environment") instanceof String)) {
            map.put("environment", defaultEnvironment);
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
        exchange.setProperty(ProviderCalls.TENANT, tenant);
        exchange.setProperty(ProviderCalls.CONNECTION, connection.id());
        exchange.setProperty(ProviderCalls.PROVIDER, PROVIDER);
        exchange.setProperty(RouteFamilies.CONFIG, map);
    }

    public void respond(Exchange exchange) throws Exception {
        api.respond(exchange, 200, mapper.readTree(exchange.getMessage().getBody(String.class)));
    }
}
