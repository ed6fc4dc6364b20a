package io.integrationhub.provider.googledrive;

import java.util.List;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.connections.ConnectionChangedEvent;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.deadletter.DeadLetterStore;
import io.integrationhub.platform.tenancy.TenantAuthFilter;
import io.integrationhub.platform.webhook.subscription.ProviderSubscription;
import io.integrationhub.platform.webhook.subscription.SubscriptionRegistry;
import io.integrationhub.platform.webhook.subscription.SubscriptionStore;
import io.integrationhub.platform.webhook.subscription.SyncRequests;

/**
 * The {@code changes.watch} channel of each active {@code google-drive} connection and what a notification does.
 * A connection that becomes active gets a channel (the platform's {@link SubscriptionRegistry} opens it through
 * route {@code google-drive.changes.watch}, renews it before it expires and stops it on disconnect); a notification
 * (route {@code google-drive.webhook}) only says that something changed, so it asks the sync engine for an
 * incremental run of {@code file} and {@code folder}, which read {@code changes.list} from the stored page token.
 */
@Component("googleDriveWatch")
public class GoogleDriveWatch {

    static final String PROVIDER = "google-drive";
    static final List<String> ENTITIES = List.of("folder", "file");
    private static final Logger LOG = LoggerFactory.getLogger(GoogleDriveWatch.class);

    private final ConnectionRepository connections;
    private final SubscriptionRegistry registry;
    private final SubscriptionStore subscriptions;
    private final SyncRequests syncs;
    private final boolean watch;

    public GoogleDriveWatch(ConnectionRepository connections, SubscriptionRegistry registry,
            SubscriptionStore subscriptions, SyncRequests syncs, @Value("${hub.google-drive.watch:true}") boolean watch) {
        this.connections = connections;
        this.registry = registry;
        this.subscriptions = subscriptions;
        this.syncs = syncs;
        this.watch = watch;
    }

    /** Opens a channel for an active {@code google-drive} connection that has no live one. */
    @EventListener
    public void onConnectionChanged(ConnectionChangedEvent event) {
        if (!watch) {
            return;
        }
        try {
            connections.find(event.tenantId(), event.connectionId())
                    .filter(c -> PROVIDER.equals(c.provider()) && c.status() == ConnectionStatus.ACTIVE)
                    .filter(c -> subscriptions.forConnection(event.tenantId(), c.id()).stream()
                            .noneMatch(s -> !ProviderSubscription.REMOVED.equals(s.status())))
                    .ifPresent(c -> {
                        ProviderSubscription s = registry.watchDriveChanges(event.tenantId(), c.id());
                        LOG.info("Google Drive connection {} watches its changes (channel {})", c.id(), s.externalId());
                    });
        } catch (RuntimeException e) {
            // The connection works without notifications (Scan now, schedules); the next change tries again.
            LOG.warn("Google Drive connection {} could not open a changes channel: {}", event.connectionId(), e.getMessage());
        }
    }

    /** Route step for a change notification: incremental runs of folders, then files (once a folder is watched). */
    public void requestSync(Exchange exchange) {
        var message = exchange.getMessage();
        UUID tenantId = UUID.fromString(message.getHeader(TenantAuthFilter.TENANT_HEADER, String.class));
        UUID connectionId = UUID.fromString(message.getHeader(DeadLetterStore.CONNECTION_HEADER, String.class));
        boolean watching = connections.find(tenantId, connectionId)
                .map(c -> GoogleDriveTree.WATCHED.keySet().stream().anyMatch(k -> c.config() != null
                        && c.config().path(k).isTextual()))
                .orElse(false);
        if (!watching) {
            LOG.debug("Google Drive connection {} watches no folder yet: notification ignored", connectionId);
            return;
        }
        for (String entity : ENTITIES) {
            syncs.requestIncremental(tenantId, connectionId, entity, "drive change notification");
        }
    }
}
