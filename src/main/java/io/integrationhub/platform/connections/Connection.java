package io.integrationhub.platform.connections;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A tenant's link to one provider account, as the API shows it: never a token or secret. */
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
        ObjectNode config) {

    public record Account(String id, String name, String email) {
    }
}
