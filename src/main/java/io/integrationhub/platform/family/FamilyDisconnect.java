package io.integrationhub.platform.family;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionLifecycleListener;

/**
 * On disconnect, a family's route {@code direct:<family>.disconnect} (when it has one) tells the provider to forget
 * the connection (Xero: {@code DELETE /connections/{id}}), with the connection's token: it runs before the
 * credentials are revoked and deleted ({@code CredentialRevoker}, last).
 */
@Component
@Order(0)
public class FamilyDisconnect implements ConnectionLifecycleListener {

    private static final Logger LOG = LoggerFactory.getLogger(FamilyDisconnect.class);

    private final RouteFamilies families;

    public FamilyDisconnect(RouteFamilies families) {
        this.families = families;
    }

    @Override
    public String onDisconnect(Connection connection) {
        throw new UnsupportedOperationException("a family's disconnect route calls with the tenant's token: use onDisconnect(tenantId, connection)");
    }

    @Override
    public String onDisconnect(UUID tenantId, Connection connection) {
        if (connection.account() == null) {
            return null; // never authorized: the provider knows nothing to forget
        }
        try {
            families.disconnect(tenantId, connection);
            return null;
        } catch (RuntimeException e) {
            LOG.warn("Disconnect route of {} failed for connection {}: {}", connection.provider(), connection.id(), e.getMessage());
            return connection.provider() + " disconnect failed: " + e.getMessage();
        }
    }
}
