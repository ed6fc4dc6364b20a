package io.integrationhub.platform.webhook;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.problem.Problem;

/**
 * Error handling of the webhook ingress ({@value #ID}): refusals become their problem answer
 * (400/401/404/413); more requests storing at once than {@code hub.webhooks.max-in-flight} (step
 * {@code webhooks.ingress.admission}) is a 503 with {@code Retry-After: hub.webhooks.overload-retry-after}; anything else — the inbox or Kafka unavailable — is a 503 so the provider
 * retries later ({@code Retry-After: hub.webhooks.retry-after}). Nothing is acknowledged that was not stored, and no
 * stack trace leaves the hub.
 */
@Component
public class WebhookIngressErrors extends RouteConfigurationBuilder {

    public static final String ID = "webhooks-ingress-errors";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIngressErrors.class);

    private final WebhookIngress ingress;
    private final WebhookProperties properties;

    public WebhookIngressErrors(WebhookIngress ingress, WebhookProperties properties) {
        this.ingress = ingress;
        this.properties = properties;
    }

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(WebhookRejection.class).handled(true)
                    .process(e -> ingress.reject(e, e.getProperty(Exchange.EXCEPTION_CAUGHT, WebhookRejection.class)
                            .problem().withInstance(e.getMessage().getHeader(Exchange.HTTP_PATH, String.class))))
                .end()
                .onException(WebhookAdmission.Overloaded.class).handled(true)
                    .process(this::overloaded)
                .end()
                .onException(Exception.class).handled(true)
                    .process(this::unavailable)
                .end();
    }

    private void overloaded(Exchange exchange) {
        LOG.warn("Webhook refused: more than {} requests storing at once (hub.webhooks.max-in-flight)",
                properties.getMaxInFlight());
        ingress.reject(exchange, Problem.of(503, "overloaded", "Overloaded",
                "The hub is receiving more webhooks than it can store at once; please deliver this one again."));
        exchange.getMessage().setHeader("Retry-After",
                String.valueOf(Math.max(1, properties.getOverloadRetryAfter().toSeconds())));
    }

    private void unavailable(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.error("Webhook could not be stored or published (reference {})", exchange.getExchangeId(), cause);
        ingress.reject(exchange, Problem.of(503, "unavailable", "Temporarily unavailable",
                "The event was not accepted; please deliver it again. Reference: " + exchange.getExchangeId()));
        exchange.getMessage().setHeader("Retry-After", String.valueOf(Math.max(1, properties.getRetryAfter().toSeconds())));
    }
}
