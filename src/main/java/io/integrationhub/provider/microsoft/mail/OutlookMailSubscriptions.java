package io.integrationhub.provider.microsoft.mail;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionChangedEvent;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.deadletter.DeadLetterStore;
import io.integrationhub.platform.tenancy.TenantAuthFilter;
import io.integrationhub.platform.webhook.WebhookPipeline;
import io.integrationhub.platform.webhook.subscription.SubscriptionRegistry;
import io.integrationhub.platform.webhook.subscription.SyncRequests;

/**
 * Change notifications for Outlook capture (bean {@code outlookMailSubscriptions}, routes in
 * {@code routes/microsoft/mail.camel.yaml}).
 *
 * <p>When an {@code outlook} connection is active — after consent, after re-authorization, after its
 * {@code config.mail.folders} changed — each captured folder gets a Graph subscription
 * {@code me/mailFolders('<folder>')/messages} through the platform's {@link SubscriptionRegistry} (which renews,
 * re-creates and removes them), and a new subscription asks for an incremental {@code email} sync, so the folder
 * is read once and its delta link kept. Every sync run also checks that the subscriptions exist, so one that could
 * not be made at activation is made later.
 *
 * <p>A notification ({@code direct:webhook.outlook}) asks for an incremental sync; the time is remembered, so a run
 * already reading the folders reads them once more rather than missing the change.
 */
@Component("outlookMailSubscriptions")
public class OutlookMailSubscriptions {

    public static final String ACTIVATE = "direct:microsoft.mail.activate";
    private static final Logger LOG = LoggerFactory.getLogger(OutlookMailSubscriptions.class);

    private final ConnectionRepository connections;
    private final SubscriptionRegistry registry;
    private final SyncRequests syncs;
    private final OutlookMailRules rules;
    private final OutlookMailLinks links;
    private final OutlookMailProperties properties;
    private final ProducerTemplate producer;
    private final Map<UUID, Object> locks = new ConcurrentHashMap<>();

    public OutlookMailSubscriptions(ConnectionRepository connections, SubscriptionRegistry registry,
            SyncRequests syncs, OutlookMailRules rules, OutlookMailLinks links, OutlookMailProperties properties,
            ProducerTemplate producer) {
        this.connections = connections;
        this.registry = registry;
        this.syncs = syncs;
        this.rules = rules;
        this.links = links;
        this.properties = properties;
        this.producer = producer;
    }

    /** Queues an active outlook connection for {@link #activate}, which runs off the thread that changed it. */
    @EventListener
    public void onChange(ConnectionChangedEvent event) {
        try {
            connections.find(event.tenantId(), event.connectionId())
                    .filter(c -> OutlookMailRules.PROVIDER.equals(c.provider()) && c.status() == ConnectionStatus.ACTIVE)
                    .ifPresent(c -> producer.sendBodyAndHeaders(ACTIVATE, null, Map.of(TenantAuthFilter.TENANT_HEADER,
                            event.tenantId().toString(), DeadLetterStore.CONNECTION_HEADER, event.connectionId().toString())));
        } catch (RuntimeException e) {
            // The change itself stands; the next sync run makes the missing subscriptions.
            LOG.warn("Outlook connection {} not queued for its folder subscriptions: {}", event.connectionId(), e.toString());
        }
    }

    /** Route step {@code microsoft.mail.activate.subscribe}: a subscription for every captured folder; how many are new. */
    public int subscribe(@Header(TenantAuthFilter.TENANT_HEADER) String tenant,
            @Header(DeadLetterStore.CONNECTION_HEADER) String connection) {
        return ensure(UUID.fromString(tenant), UUID.fromString(connection));
    }

    /** Route step {@code microsoft.mail.activate.first-sync}: new subscriptions read their folders once (delta link). */
    public void firstSync(@Header(TenantAuthFilter.TENANT_HEADER) String tenant,
            @Header(DeadLetterStore.CONNECTION_HEADER) String connection) {
        syncs.requestIncremental(UUID.fromString(tenant), UUID.fromString(connection), "email", "outlook: folders subscribed");
    }

    /** Creates the missing folder subscriptions of an active connection; returns how many were created. */
    public int ensure(UUID tenantId, UUID connectionId) {
        synchronized (locks.computeIfAbsent(connectionId, id -> new Object())) {
            Connection connection = connections.find(tenantId, connectionId).orElse(null);
            if (connection == null || !OutlookMailRules.PROVIDER.equals(connection.provider())
                    || connection.status() != ConnectionStatus.ACTIVE) {
                return 0;
            }
            int created = 0;
            for (String folder : rules.rules(connection.config()).folders()) {
                if (registry.ensureGraph(tenantId, connectionId, OutlookMailRules.PROVIDER, resource(folder),
                        properties.getChangeTypes()).isPresent()) {
                    created++;
                    LOG.info("Outlook connection {}: subscribed to changes of folder {}", connectionId, folder);
                }
            }
            return created;
        }
    }

    /** As {@link #ensure}, for the start of a sync run: a failure is logged, the run goes on without it. */
    public void ensureQuietly(UUID tenantId, UUID connectionId) {
        try {
            ensure(tenantId, connectionId);
        } catch (RuntimeException e) {
            LOG.warn("Outlook connection {}: folder subscriptions not (all) made: {}", connectionId, e.toString());
        }
    }

    static String resource(String folder) {
        return "me/mailFolders('" + folder + "')/messages";
    }

    /** Route step of {@code microsoft.mail.notification}: remember, then ask for the incremental sync. */
    public void onNotification(Exchange exchange) {
        UUID tenantId = UUID.fromString(exchange.getMessage().getHeader(TenantAuthFilter.TENANT_HEADER, String.class));
        UUID connectionId = UUID.fromString(exchange.getMessage().getHeader(DeadLetterStore.CONNECTION_HEADER, String.class));
        links.markNotified(tenantId, connectionId, Instant.now());
        String type = exchange.getMessage().getHeader(WebhookPipeline.EVENT_TYPE, String.class);
        syncs.requestIncremental(tenantId, connectionId, "email", "outlook notification (" + type + ")");
    }
}
