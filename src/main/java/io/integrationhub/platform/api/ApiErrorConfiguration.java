package io.integrationhub.platform.api;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Error handling of every REST route, declared once and applied by id ({@value #ID}): problems
 * raised by API code become their problem document; anything unexpected becomes a generic 500
 * whose body says nothing about the internals (the details go to the log with a reference).
 */
@Component
public class ApiErrorConfiguration extends RouteConfigurationBuilder {

    public static final String ID = "api-errors";
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrorConfiguration.class);

    private final ApiExchange api;

    public ApiErrorConfiguration(ApiExchange api) {
        this.api = api;
    }

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(ProblemException.class).handled(true)
                    .process(e -> api.respond(e, problemOf(e).status(), problemOf(e).withInstance(path(e))))
                .end()
                .onException(Exception.class).handled(true)
                    .process(this::unexpected)
                .end();
    }

    private static Problem problemOf(Exchange exchange) {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ProblemException.class).problem();
    }

    private static String path(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
    }

    private void unexpected(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reference = exchange.getExchangeId();
        // Exception messages can carry provider responses; log the type and the stack, not secrets in headers.
        LOG.error("Unexpected failure in route {} (reference {})", exchange.getFromRouteId(), reference, cause);
        api.respond(exchange, 500, Problem.of(500, "internal", "Internal error",
                "The hub could not complete the request. Reference: " + reference).withInstance(path(exchange)));
    }
}
