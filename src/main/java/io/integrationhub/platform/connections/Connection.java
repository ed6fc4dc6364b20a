package io.integrationhub.platform.connections;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.tenancy.EndUser;

/**
 * A tenant's link to one provider account, as the API shows it: never a token or secret.
 * {@code authorizationExpiresAt} is the refresh-token horizon (when the grant dies unless refreshed or
 * re-authorized), null when the provider's grant has no known end. {@code endUser} is the host's end user the
 * connection belongs to, null when the host named none.
 */
public record Connection(
        UUID id,
        String provider,
        String name,
        ConnectionStatus status,
        Account account,
        List<String> scopes,
        Instant lastSyncAt,
        String lastError,
        int errorCount,
        Instant createdAt,
        Instant updatedAt,
        ObjectNode config,
        Instant authorizationExpiresAt,
        EndUser endUser) {

    /** Without a known refresh-token horizon or end user. */
    public Connection(UUID id, String provider, String name, ConnectionStatus status, Account account, List<String> scopes,
            Instant lastSyncAt, String lastError, int errorCount, Instant createdAt, Instant updatedAt, ObjectNode config) {
        this(id, provider, name, status, account, scopes, lastSyncAt, lastError, errorCount, createdAt, updatedAt, config,
                null, null);
    }

    public record Account(String id, String name, String email) {
    }
}
