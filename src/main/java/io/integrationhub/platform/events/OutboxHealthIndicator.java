package io.integrationhub.platform.events;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness detail {@code outbox}: events not yet relayed and the age of the oldest. A small lag is normal
 * (the relay works in rounds; a Kafka outage keeps events waiting); only a lag beyond
 * {@code hub.outbox.unhealthy-lag} reports DOWN.
 */
@Component
public class OutboxHealthIndicator implements HealthIndicator {

    private final OutboxRelay relay;

    public OutboxHealthIndicator(OutboxRelay relay) {
        this.relay = relay;
    }

    @Override
    public Health health() {
        Outbox.Stats stats = relay.stats();
        double lag = relay.lagSeconds(stats);
        Health.Builder health = lag > relay.properties().getUnhealthyLag().toSeconds() ? Health.down() : Health.up();
        return health.withDetail("pendingEvents", stats.pending()).withDetail("lagSeconds", Math.round(lag * 10) / 10.0).build();
    }
}
