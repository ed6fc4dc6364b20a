package io.integrationhub.platform.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerExchangeEventNotifier;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerExchangeEventNotifierNamingStrategy;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Tags;

/**
 * Gives every {@code camel_exchange_event_notifier_seconds} timer the same tag keys.
 *
 * <p>camel-micrometer's exchange event notifier tags a timer with {@code routeId} only when the exchange
 * came from a route. Exchanges made by a {@code ProducerTemplate} — every CloudEvent {@code EventPublisher}
 * sends to {@code kafka:hub.syncs}, {@code hub.records.changes}, {@code hub.connections},
 * {@code hub.dead-letters} — have no route, so their timers lack the key. Prometheus needs one set of tag
 * keys per meter name: whichever kind registered first won and the other was dropped (logged once as
 * "registration has failed … tag keys"), so those sends were never counted. Here a timer without a route
 * gets {@code routeId=""} (which PromQL treats like a missing label), and both kinds are kept.
 */
@Component
public class ExchangeMetricsTags implements CamelContextConfiguration {

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        // The starter (camel.metrics.enable-exchange-event-notifier) added its notifier while the beans were made;
        // notifiers start with the context, so the strategy is in place before the first exchange.
        for (EventNotifier notifier : camelContext.getManagementStrategy().getEventNotifiers()) {
            if (notifier instanceof MicrometerExchangeEventNotifier micrometer
                    && !(micrometer.getNamingStrategy() instanceof UniformTagKeys)) {
                micrometer.setNamingStrategy(new UniformTagKeys(micrometer.getNamingStrategy()));
            }
        }
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing
    }

    /** The starter's naming strategy, with {@code routeId} always present. */
    static final class UniformTagKeys implements MicrometerExchangeEventNotifierNamingStrategy {
        private final MicrometerExchangeEventNotifierNamingStrategy delegate;

        UniformTagKeys(MicrometerExchangeEventNotifierNamingStrategy delegate) {
            this.delegate = delegate;
        }

        @Override
        public String getName(Exchange exchange, Endpoint endpoint) {
            return delegate.getName(exchange, endpoint);
        }

        @Override
        public boolean isBaseEndpointURI() {
            return delegate.isBaseEndpointURI();
        }

        @Override
        public String formatName(String name) {
            return delegate.formatName(name);
        }

        @Override
        public String getInflightExchangesName() {
            return delegate.getInflightExchangesName();
        }

        @Override
        public Tags getInflightExchangesTags(CamelContext camelContext, String routeId) {
            return delegate.getInflightExchangesTags(camelContext, routeId);
        }

        @Override
        public Tags getTags(ExchangeEvent event, Endpoint endpoint) {
            Tags tags = delegate.getTags(event, endpoint);
            boolean hasRoute = tags.stream().anyMatch(t -> MicrometerConstants.ROUTE_ID_TAG.equals(t.getKey()));
            return hasRoute ? tags : tags.and(MicrometerConstants.ROUTE_ID_TAG, "");
        }
    }
}
