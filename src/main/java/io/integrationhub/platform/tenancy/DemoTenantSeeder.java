package io.integrationhub.platform.tenancy;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import io.integrationhub.platform.config.HubProperties;

/**
 * Zero-setup profile only: makes sure tenant {@code demo} exists and accepts {@code hub.demo.api-key},
 * then prints the key once so a newcomer can call the API and sign in to the dashboard.
 */
@Component
@ConditionalOnProperty(name = "hub.demo.enabled", havingValue = "true")
public class DemoTenantSeeder implements ApplicationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DemoTenantSeeder.class);
    public static final String DEMO_TENANT = "demo";

    private final TenantService tenants;
    private final HubProperties properties;

    public DemoTenantSeeder(TenantService tenants, HubProperties properties) {
        this.tenants = tenants;
        this.properties = properties;
    }

    @Override
    @Transactional
    public void run(ApplicationArguments args) {
        String key = properties.getDemo().getApiKey();
        if (key == null || key.isBlank()) {
            LOG.warn("hub.demo.enabled is set but hub.demo.api-key is empty: no demo tenant seeded");
            return;
        }
        UUID tenantId = tenants.findByName(DEMO_TENANT).map(TenantService.Tenant::id)
                .orElseGet(() -> tenants.createWithoutKey(DEMO_TENANT));
        if (!tenants.hasKey(tenantId, key)) {
            tenants.addKey(tenantId, key);
        }
        // Deliberately printed: this is the local zero-setup profile and the key only reaches a local demo tenant.
        System.out.printf("%n  integration-hub demo tenant API key: %s%n  admin token: see %s/local-secrets.properties%n%n",
                key, properties.getDataDir());
    }
}
