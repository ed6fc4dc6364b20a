package io.integrationhub.platform.sync;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a provider family supplies to push one action (e.g. HubSpot {@code upsert-contact}): the writer.
 * The engine finds the object's link (provider id and version/ETag) by {@code localRef}, so the writer
 * creates when {@code existing} is null and updates that same provider object otherwise.
 */
public interface PushTarget {

    String provider();

    /** Action name as in the catalog, e.g. {@code upsert-contact}. */
    String action();

    /** Unified model the pushed object belongs to (links and conflicts are kept per model). */
    String model();

    Result push(SyncContext context, JsonNode data, Link existing) throws Exception;

    /** The provider object a local reference was pushed to before. */
    record Link(String externalId, String version) {
    }

    /**
     * The provider's id of the object, its new version/ETag if it has one, and its answer (returned to the
     * caller as {@code response} of the action result when not null; leave out anything secret).
     */
    record Result(String externalId, String version, JsonNode response) {
    }
}
