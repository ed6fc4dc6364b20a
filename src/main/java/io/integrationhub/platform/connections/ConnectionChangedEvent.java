package io.integrationhub.platform.connections;

import java.util.UUID;

/**
 * Published (as a Spring application event) after a connection's config or status changed, so parts
 * holding derived state — sync schedules among them — can follow.
 */
public record ConnectionChangedEvent(UUID tenantId, UUID connectionId) {
}
