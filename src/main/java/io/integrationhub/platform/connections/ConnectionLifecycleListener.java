package io.integrationhub.platform.connections;

/**
 * Hook for platform pieces that hold per-connection state outside the connections table
 * (credentials and provider revocation, schedules, webhook subscriptions). Each is told once when a
 * connection is disconnected; a failing listener is reported but does not stop the others.
 */
public interface ConnectionLifecycleListener {

    /** Called when a connection is being disconnected; returns a problem description or null when all went well. */
    String onDisconnect(Connection connection);

    /** As {@link #onDisconnect(Connection)}, knowing the tenant (needed to touch tenant-scoped tables). */
    default String onDisconnect(java.util.UUID tenantId, Connection connection) {
        return onDisconnect(connection);
    }
}
