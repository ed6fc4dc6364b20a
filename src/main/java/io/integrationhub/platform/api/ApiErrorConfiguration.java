package io.integrationhub.platform.api;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.resilience.ProviderCallException;

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
                .onException(ProviderCallException.class).handled(true)
                    .process(this::providerFailed)
                .end()
                .onException(Exception.class).handled(true)
                    .process(this::unexpected)
                .end();
    }

    /**
     * The same answers for a failure a route caught itself ({@code doCatch}): a failure that an error handler of a
     * called family route has already seen does not reach this configuration's {@code onException} again (Camel
     * handles an exception once), so API routes that call family routes catch and answer it with this step.
     */
    public void answer(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Throwable cause = caught;
        while (cause != null && !(cause instanceof ProblemException) && !(cause instanceof ProviderCallException)) {
            cause = cause.getCause();
        }
        if (cause instanceof ProblemException problem) {
            api.respond(exchange, problem.problem().status(), problem.problem().withInstance(path(exchange)));
        } else if (cause instanceof ProviderCallException failed) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failed);
            providerFailed(exchange);
        } else {
            unexpected(exchange);
        }
    }

    private static Problem problemOf(Exchange exchange) {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ProblemException.class).problem();
    }

    private static String path(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
    }

    /**
     * A provider call that failed after the resilience layer's retries: the provider's 404 stays a 404,
     * throttling and outages are 503 with Retry-After, anything else is a 502 naming the provider's answer.
     */
    private void providerFailed(Exchange exchange) {
        ProviderCallException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ProviderCallException.class);
        Problem problem = switch (e.kind()) {
            case REJECTED -> e.status() == 404
                    ? Problem.of(404, "not-found", "Not found", "The provider has no such object: " + e.getMessage())
                    : Problem.of(502, "provider-rejected", "The provider rejected the request", e.getMessage());
            case UNAUTHORIZED -> Problem.of(502, "provider-unauthorized", "The provider refused the connection's credentials",
                    e.getMessage() + " Reconnect the connection.");
            default -> Problem.of(503, "provider-unavailable", "The provider is not available right now", e.getMessage());
        };
        api.respond(exchange, problem.status(), problem.withInstance(path(exchange)));
        if (problem.status() == 503 && e.resumeAfter() != null) {
            long seconds = Math.max(1, java.time.Duration.between(java.time.Instant.now(), e.resumeAfter()).toSeconds());
            exchange.getMessage().setHeader("Retry-After", Long.toString(seconds));
        }
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
