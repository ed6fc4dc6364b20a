package io.integrationhub.platform.webhook;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.tenancy.DemoTenantSeeder;
import io.integrationhub.platform.tenancy.TenantService;

/**
 * Load-test fixture, only with {@code hub.bench.enabled=true} in the zero-setup profile: gives the demo
 * tenant one active connection per signed-webhook provider, with the provider account ids the bench
 * (bench/webhooks) signs its events for.
 */
@Component
@ConditionalOnProperty(name = { "hub.bench.enabled", "hub.demo.enabled" }, havingValue = "true")
public class BenchSeeder {

    public static final Map<String, String> ACCOUNTS = Map.of("xero", "bench-xero-tenant", "square", "BENCHMERCHANT",
            "hubspot", "424242", "slack", "TBENCH");
    private static final Logger LOG = LoggerFactory.getLogger(BenchSeeder.class);

    private final TenantService tenants;
    private final ConnectionRepository connections;

    public BenchSeeder(TenantService tenants, ConnectionRepository connections) {
        this.tenants = tenants;
        this.connections = connections;
    }

    /** After start-up, so the demo tenant exists. */
    @EventListener(ApplicationReadyEvent.class)
    public void seed() {
        UUID tenant = tenants.findByName(DemoTenantSeeder.DEMO_TENANT).map(TenantService.Tenant::id).orElse(null);
        if (tenant == null) {
            return;
        }
        ACCOUNTS.forEach((provider, account) -> {
            boolean present = connections.list(tenant, provider, null).stream()
                    .anyMatch(c -> c.account() != null && account.equals(c.account().id()));
            if (!present) {
                Connection c = connections.insert(tenant, provider, provider + " (bench)", ConnectionStatus.ACTIVE, List.of(), null);
                connections.updateAccount(tenant, c.id(), new Connection.Account(account, "Bench " + provider, null), List.of());
                LOG.info("Bench connection {} for {} account {}", c.id(), provider, account);
            }
        });
    }
}
