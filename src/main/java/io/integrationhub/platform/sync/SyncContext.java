package io.integrationhub.platform.sync;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.resilience.ProviderHttp;

/**
 * What a {@link SyncSource} knows about the run it serves. {@code since} is the stored incremental
 * position (delta link, token or ISO instant) for incremental runs, null for full and range runs.
 */
public record SyncContext(
        UUID tenantId,
        UUID connectionId,
        UUID runId,
        String provider,
        String entity,
        String mode,
        Instant rangeFrom,
        Instant rangeTo,
        String since,
        ObjectNode config,
        ProviderHttp.Scope http) {

    public boolean incremental() {
        return "incremental".equals(mode) && since != null;
    }
}
