package io.integrationhub.platform.sync;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** A sync run as the API shows it; the checkpoint and ownership columns stay inside the engine. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SyncRun(
        UUID id,
        UUID connectionId,
        String entity,
        String direction,
        String mode,
        String status,
        Instant from,
        Instant to,
        long recordsProcessed,
        Long recordsTotal,
        /** How much of the run's span is covered (0..1), when its page route tells it (e.g. the dates of a range). */
        Double progress,
        long created,
        long updated,
        long deleted,
        JsonNode errors,
        String reason,
        String message,
        Instant startedAt,
        Instant completedAt,
        Instant createdAt,
        @JsonIgnore UUID tenantId,
        @JsonIgnore String checkpoint,
        @JsonIgnore boolean cancelRequested) {

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    public boolean ranged() {
        return from != null || to != null;
    }
}
