package io.integrationhub.platform.sync;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a provider family supplies to push one action (e.g. HubSpot {@code upsert-contact}): the writer.
 * The engine finds the object's link (provider id and version/ETag) by {@code localRef}, so the writer
 * creates when {@code existing} is null and updates that same provider object otherwise.
 *
 * <p>A {@link Kind#DELETE} action (e.g. Outlook {@code delete-event}) removes the linked object instead, and the
 * engine drops the link. Push runs ({@code direction: push}) re-push every link of the model through the
 * {@link Kind#UPSERT} target and, when the family can list what the hub created ({@link #pushedObjects}), remove
 * those objects no link points to any more through the {@link Kind#DELETE} target.
 */
public interface PushTarget {

    String provider();

    /** Action name as in the catalog, e.g. {@code upsert-contact}. */
    String action();

    /** Unified model the pushed object belongs to (links and conflicts are kept per model). */
    String model();

    Result push(SyncContext context, JsonNode data, Link existing) throws Exception;

    /**
     * Whether push runs may send this {@link Kind#UPSERT} target's objects again. Only then does the hub keep the
     * data last pushed with each link (so large payloads, such as file contents, are not kept for other targets).
     */
    default boolean resyncable() {
        return false;
    }

    /** What running the action does with the object of its {@code localRef}. */
    default Kind kind() {
        return Kind.UPSERT;
    }

    /**
     * A {@link Kind#DELETE} action: removes the provider object a local reference was pushed to. An object already
     * gone at the provider counts as removed (return normally); the engine then drops the link.
     */
    default void delete(SyncContext context, Link existing) throws Exception {
        throw new UnsupportedOperationException(action() + " does not delete");
    }

    /**
     * Full push runs: one page of the provider objects this hub created for the connection (the family marks what
     * it creates), so that objects no link points to any more can be removed. {@code cursor} is null for the first
     * page, else the previous page's {@link PushedPage#nextCursor()}. Null when the family cannot tell its objects
     * apart: the run then only re-pushes.
     */
    default PushedPage pushedObjects(SyncContext context, String cursor) throws Exception {
        return null;
    }

    /**
     * Push runs: several objects in one go, for providers with a batch API (HubSpot {@code batch/upsert}). Each
     * outcome answers the item at the same position: a result, or the failure of that item alone (the provider
     * refused it; the others went through). A failure of the whole call is thrown. Default: one {@link #push} each.
     */
    default List<BatchOutcome> pushBatch(SyncContext context, List<BatchItem> items) throws Exception {
        List<BatchOutcome> outcomes = new java.util.ArrayList<>(items.size());
        for (BatchItem item : items) {
            try {
                outcomes.add(new BatchOutcome(push(context, item.data(), item.existing()), null));
            } catch (Exception e) {
                outcomes.add(new BatchOutcome(null, e));
            }
        }
        return outcomes;
    }

    enum Kind { UPSERT, DELETE }

    /** One object of a batch push: its local reference, the data to send and its link (null: create). */
    record BatchItem(String localRef, JsonNode data, Link existing) {
    }

    /**
     * What became of one object of a batch push: its result, or why the provider refused it, or both (written, but
     * something after the write failed: the run keeps the link and reports the failure).
     */
    record BatchOutcome(Result result, Exception failure) {
    }

    /** The provider object a local reference was pushed to before. */
    record Link(String externalId, String version) {
    }

    /**
     * The provider's id of the object, its new version/ETag if it has one, and its answer (returned to the
     * caller as {@code response} of the action result when not null; leave out anything secret).
     */
    record Result(String externalId, String version, JsonNode response) {
    }

    /**
     * Thrown by {@link #push} when the provider refused the link's version (an {@code If-Match} ETag it no longer
     * has: someone changed the object since the hub last saw it). Carries what the provider holds now, so the engine
     * applies the connection's conflict policy instead of overwriting: a conflict row with both versions, and for
     * a winning local side one more push against {@code version}.
     */
    final class StaleVersion extends io.integrationhub.platform.resilience.ProviderCallException {
        private final String version;
        private final transient JsonNode remote;
        private final transient Instant remoteUpdatedAt;

        public StaleVersion(String version, JsonNode remote, Instant remoteUpdatedAt) {
            super(Kind.REJECTED, 409, "the provider object changed since the hub last saw it", null);
            this.version = version;
            this.remote = remote;
            this.remoteUpdatedAt = remoteUpdatedAt;
        }

        public String version() {
            return version;
        }

        public JsonNode remote() {
            return remote;
        }

        public Instant remoteUpdatedAt() {
            return remoteUpdatedAt;
        }
    }

    /** A page of objects the hub created at the provider; {@code nextCursor} is null on the last page. */
    record PushedPage(List<Pushed> items, String nextCursor) {
    }

    /** One object the hub created, and when the provider says it was created. */
    record Pushed(String externalId, Instant createdAt) {
    }
}
