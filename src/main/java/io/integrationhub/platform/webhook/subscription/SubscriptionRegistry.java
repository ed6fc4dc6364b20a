package io.integrationhub.platform.webhook.subscription;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionLifecycleListener;
import io.integrationhub.platform.events.EventPublisher;
import io.integrationhub.platform.events.HubTopics;
import io.integrationhub.platform.tenancy.TenantAuthFilter;
import io.integrationhub.platform.webhook.WebhookProperties;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls.Caller;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls.Created;

/**
 * The one platform API through which provider families get webhook subscriptions: Graph
 * subscriptions ({@link #subscribeGraph}) and Drive change channels ({@link #watchDriveChanges}).
 * It keeps them alive — renews before expiry on the clustered schedule, re-creates after
 * {@code subscriptionRemoved} or a lapse, removes them on disconnect — and, whenever notifications may
 * have been lost, asks for the family's incremental sync ({@link SyncRequests}). The provider calls themselves
 * belong to the families ({@link ProviderSubscriptionCalls}: Graph by the Microsoft family, Drive channels by the
 * Google Drive family), made through their provider endpoints.
 */
@Component("subscriptionRegistry")
@Order(100)
public class SubscriptionRegistry implements ConnectionLifecycleListener {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRegistry.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The event type (without the CloudEvents prefix) of a subscription that could not be renewed. */
    public static final String LOST_TYPE = "connection.subscription_lost";

    private final SubscriptionStore store;
    private final SubscriptionSecrets secrets;
    private final ProviderSubscriptionCalls.Graph graph;
    private final ProviderSubscriptionCalls.Drive drive;
    private final HubProperties hub;
    private final ConnectionAccessTokens tokens;
    private final SyncRequests syncs;
    private final ProviderCatalog catalog;
    private final WebhookProperties properties;
    private final ObjectMapper mapper;
    private final EventPublisher events;

    public SubscriptionRegistry(SubscriptionStore store, SubscriptionSecrets secrets, ProviderSubscriptionCalls.Graph graph,
            ProviderSubscriptionCalls.Drive drive, HubProperties hub, ConnectionAccessTokens tokens, SyncRequests syncs,
            ProviderCatalog catalog, WebhookProperties properties, ObjectMapper mapper, EventPublisher events) {
        this.store = store;
        this.events = events;
        this.secrets = secrets;
        this.graph = graph;
        this.drive = drive;
        this.hub = hub;
        this.tokens = tokens;
        this.syncs = syncs;
        this.catalog = catalog;
        this.properties = properties;
        this.mapper = mapper;
    }

    /** Where a provider posts its notifications: {@code <hub.public-url>/webhooks/<provider>}. */
    public String notificationUrl(String provider) {
        String base = hub.getPublicUrl().endsWith("/") ? hub.getPublicUrl().substring(0, hub.getPublicUrl().length() - 1)
                : hub.getPublicUrl();
        return base + "/webhooks/" + provider;
    }

    private Caller caller(UUID tenantId, UUID connectionId, String provider, String token) {
        return new Caller(tenantId, connectionId, provider, token);
    }

    private Caller caller(ProviderSubscription s, String token) {
        return new Caller(s.tenantId(), s.connectionId(), s.provider(), token);
    }

    /** Creates a Graph subscription for a connection's resource (e.g. {@code me/drive/root}, {@code me/events}). */
    public ProviderSubscription subscribeGraph(UUID tenantId, UUID connectionId, String provider, String resource,
            String changeType) {
        String clientState = newSecret();
        Created created = graph.create(caller(tenantId, connectionId, provider, tokens.accessToken(tenantId, connectionId)),
                resource, changeType, notificationUrl(provider), clientState,
                Instant.now().plus(properties.getGraphSubscriptionLifetime()));
        ProviderSubscription s = new ProviderSubscription(UUID.randomUUID(), tenantId, connectionId, provider,
                ProviderSubscription.GRAPH, created.externalId(), resource, null, changeType,
                secrets.seal(tenantId, clientState), created.expiresAt(), ProviderSubscription.ACTIVE, null);
        store.insert(s);
        return s;
    }

    /**
     * As {@link #subscribeGraph}, unless the connection already has a live (not removed) subscription on that
     * resource: returns the new subscription, or empty when there was one.
     */
    public java.util.Optional<ProviderSubscription> ensureGraph(UUID tenantId, UUID connectionId, String provider,
            String resource, String changeType) {
        boolean live = store.forConnection(tenantId, connectionId).stream()
                .anyMatch(s -> resource.equals(s.resource()) && !ProviderSubscription.REMOVED.equals(s.status()));
        return live ? java.util.Optional.empty()
                : java.util.Optional.of(subscribeGraph(tenantId, connectionId, provider, resource, changeType));
    }

    /** Opens a Drive {@code changes.watch} channel for a connection. */
    public ProviderSubscription watchDriveChanges(UUID tenantId, UUID connectionId) {
        String token = newSecret();
        String channelId = UUID.randomUUID().toString();
        Created created = drive.watchChanges(caller(tenantId, connectionId, "google-drive",
                tokens.accessToken(tenantId, connectionId)), channelId, token, notificationUrl("google-drive"),
                Instant.now().plus(properties.getDriveChannelLifetime()));
        ProviderSubscription s = new ProviderSubscription(UUID.randomUUID(), tenantId, connectionId, "google-drive",
                ProviderSubscription.DRIVE, created.externalId(), "changes", created.resourceId(), null,
                secrets.seal(tenantId, token), created.expiresAt(), ProviderSubscription.ACTIVE, null);
        store.insert(s);
        return s;
    }

    /** The clustered renewal job: every subscription expiring within {@code hub.webhooks.renew-before}. */
    public int renewDue() {
        List<ProviderSubscription> due = store.dueForRenewal(Instant.now().plus(properties.getRenewBefore()), 200);
        int renewed = 0;
        for (ProviderSubscription s : due) {
            try {
                renew(s, "renewal");
                renewed++;
            } catch (RuntimeException e) {
                LOG.warn("Renewing subscription {} of connection {} failed: {}", s.id(), s.connectionId(), e.toString());
                String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
                store.markStatus(s.tenantId(), s.id(), ProviderSubscription.FAILED, reason);
                if (!ProviderSubscription.FAILED.equals(s.status())) {
                    announceLost(s, reason);
                }
            }
        }
        return renewed;
    }

    /**
     * Tells host applications (and the Slack alerts) on {@code hub.connections} that a connection's provider
     * subscription stopped: until a renewal succeeds, changes at the provider arrive only with scheduled syncs.
     */
    private void announceLost(ProviderSubscription s, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("connectionId", s.connectionId().toString());
        data.put("provider", s.provider());
        data.put("subscriptionId", s.id().toString());
        data.put("resource", s.resource());
        data.put("reason", reason.length() > 500 ? reason.substring(0, 500) : reason);
        events.publish(HubTopics.CONNECTIONS, s.connectionId().toString(), LOST_TYPE, "connections/" + s.connectionId(),
                s.tenantId(), data);
    }

    /**
     * Renews (Graph PATCH) or replaces (Drive: new channel, old one stopped; Graph after 404) a
     * subscription. A subscription that had already lapsed leaves a gap, so the family syncs.
     */
    public void renew(ProviderSubscription s, String reason) {
        String token = tokens.accessToken(s.tenantId(), s.connectionId());
        boolean lapsed = s.expiresAt() != null && s.expiresAt().isBefore(Instant.now())
                || ProviderSubscription.FAILED.equals(s.status());
        if (ProviderSubscription.GRAPH.equals(s.kind())) {
            Created renewed = s.externalId() == null ? null : graph.renew(caller(s, token), s.externalId(),
                    Instant.now().plus(properties.getGraphSubscriptionLifetime()));
            if (renewed == null) {
                recreateGraph(s, token);
                lapsed = true;
            } else {
                store.update(withIdentity(s, renewed.externalId(), null, s.secretCt(), renewed.expiresAt()));
            }
        } else {
            String channelToken = newSecret();
            Created created = drive.watchChanges(caller(s, token), UUID.randomUUID().toString(), channelToken,
                    notificationUrl(s.provider()), Instant.now().plus(properties.getDriveChannelLifetime()));
            store.update(withIdentity(s, created.externalId(), created.resourceId(), secrets.seal(s.tenantId(), channelToken),
                    created.expiresAt()));
            stopQuietly(token, s);
        }
        if (lapsed) {
            requestSync(s, reason + ": notifications may have been missed");
        }
    }

    private void recreateGraph(ProviderSubscription s, String token) {
        String clientState = newSecret();
        Created created = graph.create(caller(s, token), s.resource(), s.changeType(), notificationUrl(s.provider()),
                clientState, Instant.now().plus(properties.getGraphSubscriptionLifetime()));
        store.update(withIdentity(s, created.externalId(), null, secrets.seal(s.tenantId(), clientState), created.expiresAt()));
    }

    /** Route step for Graph lifecycle notifications; the body is the notification item. */
    public void onLifecycle(Exchange exchange) throws Exception {
        JsonNode item = mapper.readTree(exchange.getMessage().getBody(String.class));
        UUID tenantId = UUID.fromString(exchange.getMessage().getHeader(TenantAuthFilter.TENANT_HEADER, String.class));
        String event = item.path("lifecycleEvent").asText();
        Optional<ProviderSubscription> found = store.findByExternalId(ProviderSubscription.GRAPH,
                item.path("subscriptionId").asText()).filter(s -> s.tenantId().equals(tenantId));
        if (found.isEmpty()) {
            LOG.info("Graph lifecycle event '{}' for a subscription no longer known: nothing to do", event);
            return;
        }
        ProviderSubscription s = found.get();
        LOG.info("Graph lifecycle event '{}' for subscription {} of connection {}", event, s.id(), s.connectionId());
        switch (event) {
            case "reauthorizationRequired" -> reauthorize(s);
            case "subscriptionRemoved" -> {
                recreateGraph(s, tokens.accessToken(s.tenantId(), s.connectionId()));
                requestSync(s, "subscriptionRemoved: subscription re-created");
            }
            case "missed" -> requestSync(s, "missed: Graph could not deliver some notifications");
            default -> LOG.info("Graph lifecycle event '{}' for subscription {} not acted on", event, s.id());
        }
    }

    /**
     * Answers {@code reauthorizationRequired} as Graph documents it: {@code POST /subscriptions/{id}/reauthorize}
     * with a fresh bearer. A subscription Graph no longer knows (404) is re-created, and since
     * notifications may have been lost meanwhile, the family syncs.
     */
    public void reauthorize(ProviderSubscription s) {
        String token = tokens.accessToken(s.tenantId(), s.connectionId());
        if (s.externalId() != null && graph.reauthorize(caller(s, token), s.externalId())) {
            return;
        }
        recreateGraph(s, token);
        requestSync(s, "reauthorizationRequired: subscription re-created");
    }

    /** Disconnect: every subscription of the connection is deleted at the provider (best effort) and removed. */
    @Override
    public String onDisconnect(Connection connection) {
        String problem = null;
        for (ProviderSubscription s : store.forConnection(tenantOf(connection), connection.id())) {
            if (ProviderSubscription.REMOVED.equals(s.status())) {
                continue;
            }
            try {
                String token = tokens.accessToken(s.tenantId(), s.connectionId());
                if (ProviderSubscription.GRAPH.equals(s.kind())) {
                    graph.delete(caller(s, token), s.externalId());
                } else {
                    drive.stop(caller(s, token), s.externalId(), s.resourceId());
                }
            } catch (RuntimeException e) {
                LOG.warn("Subscription {} could not be deleted at the provider: {}", s.id(), e.getClass().getSimpleName());
                problem = "Some webhook subscriptions could not be deleted at the provider; they expire on their own.";
            }
            store.markStatus(s.tenantId(), s.id(), ProviderSubscription.REMOVED, null);
        }
        return problem;
    }

    private UUID tenantOf(Connection connection) {
        return store.tenantOfConnection(connection.id());
    }

    private void requestSync(ProviderSubscription s, String reason) {
        catalog.find(s.provider()).ifPresent(definition -> definition.entities().forEach(entity ->
                syncs.requestIncremental(s.tenantId(), s.connectionId(), entity, reason)));
    }

    private void stopQuietly(String token, ProviderSubscription old) {
        try {
            drive.stop(caller(old, token), old.externalId(), old.resourceId());
        } catch (RuntimeException e) {
            LOG.info("Old Drive channel {} not stopped ({}); it expires on its own", old.id(), e.getClass().getSimpleName());
        }
    }

    private static ProviderSubscription withIdentity(ProviderSubscription s, String externalId, String resourceId,
            byte[] secretCt, Instant expiresAt) {
        return new ProviderSubscription(s.id(), s.tenantId(), s.connectionId(), s.provider(), s.kind(), externalId,
                s.resource(), resourceId, s.changeType(), secretCt, expiresAt, ProviderSubscription.ACTIVE, null);
    }

    private static String newSecret() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
