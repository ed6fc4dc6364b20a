package io.integrationhub.platform.webhook;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.tenancy.DemoTenantSeeder;
import io.integrationhub.platform.tenancy.TenantService;
import io.integrationhub.platform.vault.CredentialStore;
import io.integrationhub.platform.vault.Credentials;

/**
 * Load-test fixture, only with {@code hub.bench.enabled=true} in the zero-setup profile: gives the demo
 * tenant one active connection per signed-webhook provider, with the provider account ids the bench
 * (bench/webhooks) signs its events for. With {@code hub.bench.provider-token} each of them holds that access token
 * in the vault (like a connection after consent; it does not expire), so the webhook handlers' fetches of the
 * objects an event names reach the bench's provider simulator ({@code WebhookLoad.java providers}, whose URLs
 * the bench passes as {@code hub.providers.<key>.api-url}) with a bearer token it accepts. The Slack connection's
 * channel is {@value #SLACK_CHANNEL}.
 */
@Component
@ConditionalOnProperty(name = { "hub.bench.enabled", "hub.demo.enabled" }, havingValue = "true")
public class BenchSeeder {

    public static final Map<String, String> ACCOUNTS = Map.of("xero", "bench-xero-tenant", "square", "BENCHMERCHANT",
            "hubspot", "424242", "slack", "TBENCH");
    public static final String SLACK_CHANNEL = "CBENCH01";
    private static final Logger LOG = LoggerFactory.getLogger(BenchSeeder.class);

    private final TenantService tenants;
    private final ConnectionRepository connections;
    private final CredentialStore credentials;
    private final String providerToken;

    public BenchSeeder(TenantService tenants, ConnectionRepository connections, CredentialStore credentials,
            @Value("${hub.bench.provider-token:}") String providerToken) {
        this.tenants = tenants;
        this.connections = connections;
        this.credentials = credentials;
        this.providerToken = providerToken;
    }

    /**
     * Slack's events ask for an incremental pull of the connection's channel ({@code routes/slack/webhooks.camel.yaml}):
     * the bench connection names the channel the simulator's {@code conversations.history} answers for, and posts no
     * alerts there.
     */
    static ObjectNode config(String provider) {
        return provider.equals("slack") ? JsonNodeFactory.instance.objectNode().put("channel", SLACK_CHANNEL).put("alerts", "none")
                : null;
    }

    /** After start-up, so the demo tenant exists. */
    @EventListener(ApplicationReadyEvent.class)
    public void seed() {
        UUID tenant = tenants.findByName(DemoTenantSeeder.DEMO_TENANT).map(TenantService.Tenant::id).orElse(null);
        if (tenant == null) {
            return;
        }
        ACCOUNTS.forEach((provider, account) -> {
            Connection c = connections.list(tenant, provider, null).stream()
                    .filter(existing -> existing.account() != null && account.equals(existing.account().id()))
                    .findFirst().orElse(null);
            if (c == null) {
                c = connections.insert(tenant, provider, provider + " (bench)", ConnectionStatus.ACTIVE, List.of(), config(provider));
                connections.updateAccount(tenant, c.id(), new Connection.Account(account, "Bench " + provider, null), List.of());
                LOG.info("Bench connection {} for {} account {}", c.id(), provider, account);
            }
            if (!providerToken.isBlank() && credentials.find(tenant, c.id()).isEmpty()) {
                credentials.save(tenant, new Credentials(c.id(), providerToken, null, null, "Bearer", null, null,
                        Instant.now(), 0, Map.of()));
            }
        });
    }
}
