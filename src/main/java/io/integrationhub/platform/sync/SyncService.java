package io.integrationhub.platform.sync;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.catalog.FamilySpec;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;

/** Queuing, inspecting and cancelling sync runs for one tenant. */
@Service
public class SyncService {

    public static final String DISPATCH = "direct:sync.dispatch";
    private static final Logger LOG = LoggerFactory.getLogger(SyncService.class);

    private final ConnectionService connections;
    private final ProviderCatalog catalog;
    private final SyncSources sources;
    private final PushTargets targets;
    private final SyncRunRepository runs;
    private final ProducerTemplate producer;
    private final ObjectMapper mapper;

    public SyncService(ConnectionService connections, ProviderCatalog catalog, SyncSources sources, PushTargets targets,
            SyncRunRepository runs, ProducerTemplate producer, ObjectMapper mapper) {
        this.connections = connections;
        this.catalog = catalog;
        this.sources = sources;
        this.targets = targets;
        this.runs = runs;
        this.producer = producer;
        this.mapper = mapper;
    }

    /** Validates and queues a run, then hands it to whichever instance consumes the request. */
    public SyncRun request(UUID tenantId, UUID connectionId, JsonNode body) {
        Connection connection = connections.get(tenantId, connectionId);
        String entity = body.path("entity").asText();
        String direction = body.path("direction").asText("pull");
        boolean push = "push".equals(direction);
        // A push run sends every linked object again: it is always a full run.
        String mode = body.path("mode").asText(push ? "full" : "incremental");
        Instant from = instant(body, "from");
        Instant to = instant(body, "to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw ProblemException.unprocessable("'from' must be before 'to'.", new FieldError("/from", "must be before 'to'"));
        }
        ProviderDefinition provider = catalog.find(connection.provider()).orElseThrow();
        if (!provider.entities().contains(entity)) {
            throw ProblemException.unprocessable("'" + provider.key() + "' has no entity '" + entity + "'.",
                    new FieldError("/entity", "known: " + String.join(", ", provider.entities())));
        }
        if (push) {
            if (!"full".equals(mode)) {
                throw ProblemException.unprocessable("A push run sends every linked object again; it is always full.",
                        new FieldError("/mode", "push runs are 'full'"));
            }
            if (from != null || to != null) {
                throw ProblemException.unprocessable("A push run has no date range.",
                        new FieldError(from != null ? "/from" : "/to", "not allowed with direction 'push'"));
            }
            if (targets.resyncWriter(provider.key(), entity).isEmpty()) {
                throw ProblemException.unprocessable("This hub cannot push " + provider.key() + " " + entity
                        + "; push single objects through actions (POST /connections/{id}/actions/{action}).",
                        new FieldError("/entity", "no push run for this entity"));
            }
        } else if (from != null || to != null) {
            checkRange(provider.key(), entity, from, to);
        }
        if (!push && sources.find(provider.key(), entity).isEmpty()) {
            throw ProblemException.unprocessable("This hub has no sync for " + provider.key() + " " + entity + " yet.",
                    new FieldError("/entity", "no sync source installed"));
        }
        if (connection.status() != ConnectionStatus.ACTIVE && connection.status() != ConnectionStatus.ERROR) {
            throw ProblemException.unprocessable("The connection is " + connection.status().wire()
                    + "; it must be active to sync.", new FieldError("/status", connection.status().wire()));
        }
        SyncRun run = runs.queue(tenantId, connectionId, entity, direction, mode, from, to, "manual");
        dispatch(run);
        return run;
    }

    /**
     * A request that names only connection and entity (a schedule, a webhook): queues a run unless one
     * is already queued or running, which then covers it. Returns the run to execute, or null.
     */
    public SyncRun requestInternal(UUID tenantId, UUID connectionId, String entity, String mode, String reason) {
        Connection connection = connections.get(tenantId, connectionId);
        if (sources.find(connection.provider(), entity).isEmpty()) {
            LOG.info("No sync source for {} {}; {} request ignored", connection.provider(), entity, reason);
            return null;
        }
        try {
            return runs.queue(tenantId, connectionId, entity, "pull", mode == null ? "incremental" : mode, null, null, reason);
        } catch (SyncRunRepository.AlreadyActive e) {
            if (runs.requestFollowUp(tenantId, connectionId, entity)) {
                LOG.debug("Sync of {} {} running ({}); {} request makes it queue a follow-up run", connectionId, entity,
                        e.runId(), reason);
            } else {
                LOG.debug("Sync of {} {} already queued ({}); {} request folded into it", connectionId, entity,
                        e.runId(), reason);
            }
            return null;
        }
    }

    /** Publishes the run on hub.sync.requests keyed by connection; a lost message is picked up by the sweep. */
    public void dispatch(SyncRun run) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("runId", run.id().toString());
        message.put("tenantId", run.tenantId().toString());
        message.put("connectionId", run.connectionId().toString());
        message.put("entity", run.entity());
        message.put("mode", run.mode());
        message.put("reason", run.reason());
        try {
            producer.sendBodyAndHeader(DISPATCH, mapper.writeValueAsString(message), KafkaConstants.KEY,
                    run.connectionId().toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            LOG.warn("Sync run {} queued but not announced ({}); the sweep will start it", run.id(), e.getClass().getSimpleName());
        }
    }

    public SyncRun get(UUID tenantId, UUID runId) {
        return runs.find(tenantId, runId).orElseThrow(() -> ProblemException.notFound("Sync run " + runId));
    }

    public SyncRun cancel(UUID tenantId, UUID runId) {
        SyncRun run = get(tenantId, runId);
        if (SyncRun.QUEUED.equals(run.status()) || SyncRun.RUNNING.equals(run.status())) {
            runs.requestCancel(tenantId, runId);
        }
        return get(tenantId, runId);
    }

    /**
     * The catalog's {@code entities[].maxRange}: a longer range is refused here rather than failing the run at its
     * start. A range without {@code to} ends now.
     */
    private void checkRange(String provider, String entity, Instant from, Instant to) {
        if (from == null) {
            return;
        }
        Instant end = to != null ? to : Instant.now();
        catalog.family(provider).flatMap(f -> f.entities().stream().filter(e -> e.name().equals(entity)).findFirst())
                .map(FamilySpec.Entity::maxRange)
                .filter(max -> Duration.between(from, end).compareTo(max) > 0)
                .ifPresent(max -> {
                    throw ProblemException.unprocessable("The range from " + from + " to " + end + " is longer than "
                            + describe(max) + ", the most " + provider + " " + entity + " syncs in one run; split it "
                            + "into several runs.",
                            new FieldError(to != null ? "/to" : "/from", "at most " + describe(max) + " after 'from'"));
                });
    }

    private static String describe(Duration max) {
        return max.toSeconds() % 86400 == 0 ? max.toDays() + " days" : max.toString();
    }

    private static Instant instant(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(v.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("'" + field + "' must be an RFC 3339 date-time",
                    new FieldError("/" + field, "must be an RFC 3339 date-time"));
        }
    }
}
