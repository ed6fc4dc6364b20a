package io.integrationhub.provider.microsoft.onedrive;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.connections.ConnectionChangedEvent;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.deadletter.DeadLetterStore;
import io.integrationhub.platform.tenancy.TenantAuthFilter;
import io.integrationhub.platform.webhook.subscription.SubscriptionRegistry;
import io.integrationhub.platform.webhook.subscription.SyncRequests;

/**
 * Change notifications on the drive root. When an {@code onedrive} connection becomes active it gets a Graph
 * subscription on {@code me/drive/root} ({@code updated}, the only change type a driveItem root supports); the
 * platform renews it, follows its lifecycle events and deletes it on disconnect. A notification (route
 * {@code microsoft.onedrive.webhook}, bean {@code oneDriveChanges}) carries no detail worth trusting, so it asks
 * the sync engine for an incremental delta run of {@code file} and {@code folder}.
 */
@Component("oneDriveChanges")
public class OneDriveChanges {

    static final String RESOURCE = "me/drive/root";
    static final String CHANGE_TYPE = "updated";

    private static final Logger LOG = LoggerFactory.getLogger(OneDriveChanges.class);

    private final ConnectionRepository connections;
    private final SubscriptionRegistry registry;
    private final SyncRequests syncs;
    private final OneDriveProperties properties;

    public OneDriveChanges(ConnectionRepository connections, SubscriptionRegistry registry,
            SyncRequests syncs, OneDriveProperties properties) {
        this.connections = connections;
        this.registry = registry;
        this.syncs = syncs;
        this.properties = properties;
    }

    /** Subscribes an active {@code onedrive} connection that has no live drive-root subscription yet. */
    @EventListener
    public void onConnectionChanged(ConnectionChangedEvent event) {
        if (!properties.isSubscribe()) {
            return;
        }
        try {
            connections.find(event.tenantId(), event.connectionId())
                    .filter(c -> OneDriveJobFiles.PROVIDER.equals(c.provider()) && c.status() == ConnectionStatus.ACTIVE)
                    .flatMap(c -> registry.ensureGraph(event.tenantId(), c.id(), OneDriveJobFiles.PROVIDER, RESOURCE,
                            CHANGE_TYPE))
                    .ifPresent(s -> LOG.info("OneDrive connection {} subscribed to drive changes (subscription {})",
                            s.connectionId(), s.id()));
        } catch (RuntimeException e) {
            // The connection works without notifications; the next status or config change tries again.
            LOG.warn("OneDrive connection {} could not subscribe to drive changes: {}", event.connectionId(), e.getMessage());
        }
    }

    /** Route step for a change notification: an incremental delta run of files and folders. */
    public void requestDeltaSync(Exchange exchange) {
        var message = exchange.getMessage();
        UUID tenantId = UUID.fromString(message.getHeader(TenantAuthFilter.TENANT_HEADER, String.class));
        UUID connectionId = UUID.fromString(message.getHeader(DeadLetterStore.CONNECTION_HEADER, String.class));
        for (String entity : OneDriveDeltaSource.ENTITIES) {
            syncs.requestIncremental(tenantId, connectionId, entity, "drive change notification");
        }
    }
}
