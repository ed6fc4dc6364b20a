package io.integrationhub.platform.webhook;

import java.util.concurrent.Semaphore;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.springframework.stereotype.Component;

/**
 * Admission control of the webhook ingress (step {@code webhooks.ingress.admission}): at most
 * {@code hub.webhooks.max-in-flight} requests store at the same time; the permit is returned when the exchange
 * completes (after the answer). One more request is refused at once with {@link Overloaded}, which
 * {@link WebhookIngressErrors} answers {@code 503} with {@code Retry-After}.
 *
 * <p>Not Camel's {@code throttle} EIP in {@code ConcurrentRequests} mode, which does the same: with it in a route,
 * the context's {@code dumpRoutesAsXml} (what Hawtio's route diagram reads over Jolokia) fails in Camel 4.17 with
 * "Time period in millis can only be obtained when using total requests mode".
 */
@Component
public class WebhookAdmission {

    private final Semaphore permits;

    public WebhookAdmission(WebhookProperties properties) {
        this.permits = new Semaphore(Math.max(1, properties.getMaxInFlight()));
    }

    public void admit(Exchange exchange) {
        if (!permits.tryAcquire()) {
            throw new Overloaded();
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                permits.release();
            }
        });
    }

    /** More webhooks storing at once than the limit. */
    public static class Overloaded extends RuntimeException {
        Overloaded() {
            super("more webhooks storing at once than hub.webhooks.max-in-flight", null, false, false);
        }
    }
}
