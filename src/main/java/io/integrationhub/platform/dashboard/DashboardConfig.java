package io.integrationhub.platform.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.config.HubProperties;

/**
 * What the dashboard page needs before sign-in. In the zero-setup profile that is the demo tenant's key,
 * so a newcomer is signed in with one click; every other profile answers an empty object.
 */
@Component("dashboardConfig")
public class DashboardConfig {

    private final HubProperties properties;
    private final ApiExchange api;

    public DashboardConfig(HubProperties properties, ApiExchange api) {
        this.properties = properties;
        this.api = api;
    }

    public void config(Exchange exchange) {
        Map<String, Object> config = new LinkedHashMap<>();
        if (properties.getDemo().isEnabled() && properties.getDemo().getApiKey() != null) {
            config.put("demoApiKey", properties.getDemo().getApiKey());
        }
        api.respond(exchange, 200, config);
        exchange.getMessage().setHeader("Cache-Control", "no-store");
    }
}
