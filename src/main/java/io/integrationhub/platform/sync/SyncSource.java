package io.integrationhub.platform.sync;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a provider family supplies to pull one entity: a page fetcher and the default mapping of a
 * provider object to the unified model. Paging state lives only in the cursor string the fetcher
 * returns, so the engine can checkpoint it and any instance can resume from it.
 */
public interface SyncSource {

    /** Catalog key of the provider, e.g. {@code xero}. */
    String provider();

    /** Entity as named in the catalog and in {@code config.schedules}, e.g. {@code invoice}. */
    String entity();

    /** Unified model the records are stored under (often the entity itself). */
    default String model() {
        return entity();
    }

    /**
     * Fetches one page. {@code cursor} is null for the first page of a run, else the {@link Page#nextCursor()}
     * of the previous page. Provider calls go through {@link SyncContext#http()}.
     */
    Page fetchPage(SyncContext context, String cursor) throws Exception;

    /** The default mapping of one raw provider object; throws for an object that cannot be a record. */
    Mapped map(JsonNode raw);

    /**
     * The event type announced, besides {@code record.created|updated}, when a record is written with this
     * {@code data.status} (catalog {@code entities[].statusEvents}, e.g. {@code paid → invoice.paid}); null for none.
     */
    default String statusEvent(String status) {
        return null;
    }

    /**
     * One page: the raw provider objects, the cursor of the next page (null on the last page), the total
     * when the provider tells it, and — on the last page — where the next incremental run should start
     * (a delta link or token; null lets the engine use the run's start time as {@code modifiedSince}).
     */
    record Page(List<JsonNode> items, String nextCursor, Long total, String deltaCursor) {
        public static Page of(List<JsonNode> items, String nextCursor) {
            return new Page(items, nextCursor, null, null);
        }
    }

    /** One provider object in the unified model. */
    record Mapped(String externalId, ObjectNode data, Instant remoteUpdatedAt, boolean deleted) {
    }
}
