package io.integrationhub.platform.deadletter;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Named route configuration ({@value #ID}) for routes that process accepted work (webhook events,
 * sync pages, actions): exponential retries, then the platform dead-letter route with the original
 * message. Attempts and delays are properties.
 */
@Component
public class DeadLetterConfiguration extends RouteConfigurationBuilder {

    public static final String ID = "platform-dead-letter";
    public static final String ENDPOINT = "direct:platform.deadLetter";

    private final int maxRedeliveries;
    private final long initialDelayMs;
    private final long maxDelayMs;

    public DeadLetterConfiguration(@Value("${hub.errors.max-redeliveries:3}") int maxRedeliveries,
            @Value("${hub.errors.initial-delay-ms:500}") long initialDelayMs,
            @Value("${hub.errors.max-delay-ms:30000}") long maxDelayMs) {
        this.maxRedeliveries = maxRedeliveries;
        this.initialDelayMs = initialDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    @Override
    public void configuration() {
        routeConfiguration(ID).errorHandler(deadLetterChannel(ENDPOINT)
                .useOriginalMessage()
                .maximumRedeliveries(maxRedeliveries)
                .redeliveryDelay(initialDelayMs)
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .maximumRedeliveryDelay(maxDelayMs)
                .retryAttemptedLogLevel(LoggingLevel.WARN)
                .logStackTrace(false)
                .logExhaustedMessageHistory(false));
    }
}
