package io.integrationhub.platform.events;

import java.util.UUID;

/**
 * Whose a connection is: the host's end-user id the connection was created for, or null. {@link EventPublisher}
 * asks it for every event keyed by a connection, to carry the end user as the {@code enduserid} attribute.
 */
public interface EndUserDirectory {

    String endUserId(UUID tenantId, UUID connectionId);
}
