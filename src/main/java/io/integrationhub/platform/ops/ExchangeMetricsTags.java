package io.integrationhub.platform.ops;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerExchangeEventNotifier;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerExchangeEventNotifierNamingStrategy;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeCompletedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeCreatedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.spi.ManagementStrategy;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

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
 *
 * <p>And the notifier is replaced by {@link QuickLastExchange}, the same notifier without a search of the whole
 * meter registry at the end of every exchange (camel-micrometer looks its {@code camel.exchanges.last.timestamp}
 * gauge up by name each time: a walk over every meter, a few thousand here; 8 % of a signed webhook's CPU), and
 * without a copy of the context's whole route list for every event (camel-micrometer finds the event's route with
 * {@code CamelContext.getRoute}, which copies and scans all routes, several hundred here, for each exchange event, the
 * sending events it ignores included: 4 % of what a signed webhook allocated).
 */
@Component
public class ExchangeMetricsTags implements CamelContextConfiguration {

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        // The starter (camel.metrics.enable-exchange-event-notifier) added its notifier while the beans were made;
        // notifiers start with the context, so the strategy is in place before the first exchange.
        for (EventNotifier notifier : List.copyOf(camelContext.getManagementStrategy().getEventNotifiers())) {
            if (notifier instanceof MicrometerExchangeEventNotifier micrometer && !(notifier instanceof QuickLastExchange)) {
                QuickLastExchange quick = new QuickLastExchange();
                quick.setCamelContext(camelContext);
                quick.setMeterRegistry(micrometer.getMeterRegistry());
                quick.setIgnoreExchanges(micrometer.getIgnoreExchanges());
                quick.setBaseEndpointURI(micrometer.isBaseEndpointURI());
                quick.setNamingStrategy(micrometer.getNamingStrategy() instanceof UniformTagKeys u ? u
                        : new UniformTagKeys(micrometer.getNamingStrategy()));
                camelContext.getManagementStrategy().removeEventNotifier(micrometer);
                camelContext.getManagementStrategy().addEventNotifier(quick);
            }
        }
    }

    /**
     * camel-micrometer's exchange event notifier with the end of an exchange done as it does it (stop the timer the
     * start of the exchange left in a property, under the same name and tags) but the "last exchange" time kept in
     * a gauge registered once, not looked up in the registry every time.
     */
    static final class QuickLastExchange extends MicrometerExchangeEventNotifier {
        /** camel-micrometer's property of the timer sample started when the exchange was created or sent. */
        private static final String TIMER_PROPERTY = "eventTimer:";
        private static final String LAST_EXCHANGE = "camel.exchanges.last.timestamp";
        private final AtomicLong last = new AtomicLong();
        /** Per route id: whether its exchanges are left out (a kamelet's or template's route, as JMX registers them). */
        private final Map<String, Boolean> skipped = new ConcurrentHashMap<>();
        private volatile boolean registerKamelets;
        private volatile boolean registerTemplates = true;

        /**
         * What camel-micrometer's notifier does, in the same order (the event's route left out when JMX leaves its
         * kind out, then the ignore predicate, then created / sent / done), with the route's kind remembered per route
         * id instead of looked up in a copy of every route, and nothing looked up for the events it does not count.
         */
        @Override
        public void notify(CamelEvent event) {
            if (!(event instanceof ExchangeCreatedEvent || event instanceof ExchangeSentEvent
                    || event instanceof ExchangeCompletedEvent || event instanceof ExchangeFailedEvent)) {
                return;
            }
            ExchangeEvent exchangeEvent = (ExchangeEvent) event;
            Exchange exchange = exchangeEvent.getExchange();
            String routeId = event instanceof ExchangeCreatedEvent ? exchange.getFromRouteId()
                    : ExchangeHelper.getAtRouteId(exchange);
            if (routeId != null && isSkipped(exchange.getContext(), routeId)) {
                return;
            }
            if (getIgnoreExchanges().test(exchange)) {
                return;
            }
            if (event instanceof ExchangeCreatedEvent created) {
                handleCreatedEvent(created);
            } else if (event instanceof ExchangeSentEvent sent) {
                handleSentEvent(sent);
            } else {
                handleDoneEvent(exchangeEvent);
            }
        }

        private boolean isSkipped(CamelContext context, String routeId) {
            Boolean known = skipped.get(routeId);
            if (known != null) {
                return known;
            }
            Route route = context.getRoute(routeId);
            if (route == null) {
                return false; // not (or no longer) a route of the context: counted, and looked up again next time
            }
            boolean skip = (route.isCreatedByKamelet() && !registerKamelets)
                    || (route.isCreatedByRouteTemplate() && !registerTemplates);
            skipped.put(routeId, skip);
            return skip;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            ManagementStrategy management = getCamelContext().getManagementStrategy();
            ManagementAgent agent = management == null ? null : management.getManagementAgent();
            if (agent != null) { // as camel-micrometer reads them when the context is set
                registerKamelets = Boolean.TRUE.equals(agent.getRegisterRoutesCreateByKamelet());
                registerTemplates = Boolean.TRUE.equals(agent.getRegisterRoutesCreateByTemplate());
            }
            if (getMeterRegistry().find(LAST_EXCHANGE).gauge() == null) {
                Gauge.builder(LAST_EXCHANGE, last, AtomicLong::get)
                        .description("Last exchange processed time in milliseconds since the Unix epoch")
                        .register(getMeterRegistry());
            }
        }

        @Override
        protected void handleDoneEvent(ExchangeEvent event) {
            Exchange exchange = event.getExchange();
            String name = getNamingStrategy().getName(exchange, exchange.getFromEndpoint());
            Object sample = exchange.removeProperty(TIMER_PROPERTY + name);
            if (sample instanceof Timer.Sample started) {
                Tags tags = getNamingStrategy().getTags(event, exchange.getFromEndpoint());
                started.stop(getMeterRegistry().timer(name, tags));
            }
            last.set(System.currentTimeMillis());
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
