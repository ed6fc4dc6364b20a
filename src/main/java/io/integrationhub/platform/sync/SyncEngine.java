package io.integrationhub.platform.sync;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.deadletter.DeadLetterConfiguration;
import io.integrationhub.platform.deadletter.DeadLetterStore;
import io.integrationhub.platform.events.EventPublisher;
import io.integrationhub.platform.events.HubTopics;
import io.integrationhub.platform.events.OutboxMessage;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderHttp;
import io.integrationhub.platform.sync.RecordStore.Change;
import io.integrationhub.platform.sync.SyncSource.Mapped;
import io.integrationhub.platform.sync.SyncSource.Page;
import io.integrationhub.platform.tenancy.TenantAuthFilter;

/**
 * Executes one pull run page by page. Each page's records, change events (outbox rows), dead letters and
 * the run's checkpoint commit in one transaction, fenced by run ownership; so a run interrupted anywhere resumes
 * (on any instance) from the last committed page, and only one page is ever held in memory.
 *
 * <p>A push run ({@code direction: push}) pushes every {@code localRef ↔ externalId} link of the model again
 * through the family's {@link PushTarget}, batch by batch with the same checkpoints, counters and events;
 * a full one then removes the objects the hub created that no link points to any more.
 */
@Component
public class SyncEngine {

    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    static final String ROUTE_ID = "sync.run";

    private final SyncRunRepository runs;
    private final RecordStore records;
    private final SyncSources sources;
    private final FieldMappings mappings;
    private final ConnectionRepository connections;
    private final ConnectionService connectionService;
    private final ProviderHttp http;
    private final EventPublisher events;
    private final ProducerTemplate producer;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;
    private final SyncProperties properties;
    private final PushTargets targets;
    private final RecordLinks links;
    private final org.springframework.beans.factory.ObjectProvider<SyncService> syncService;

    public SyncEngine(SyncRunRepository runs, RecordStore records, SyncSources sources, FieldMappings mappings,
            ConnectionRepository connections, ConnectionService connectionService, ProviderHttp http,
            EventPublisher events, ProducerTemplate producer, TransactionTemplate tx, ObjectMapper mapper,
            SyncProperties properties, PushTargets targets, RecordLinks links,
            org.springframework.beans.factory.ObjectProvider<SyncService> syncService) {
        this.syncService = syncService;
        this.runs = runs;
        this.records = records;
        this.sources = sources;
        this.mappings = mappings;
        this.connections = connections;
        this.connectionService = connectionService;
        this.http = http;
        this.events = events;
        this.producer = producer;
        this.tx = tx;
        this.mapper = mapper;
        this.properties = properties;
        this.targets = targets;
        this.links = links;
    }

    /** Another instance owns the run now; this one must stop without touching it. */
    static final class LostOwnership extends RuntimeException {
        LostOwnership() {
            super("run taken over by another instance", null, false, false);
        }
    }

    /** Runs (or resumes) the run if this instance can claim it; returns quietly otherwise. */
    public void execute(UUID tenantId, UUID runId, String owner) {
        // The claim and its sync.started / sync.resumed event commit together (the event goes through the outbox).
        SyncRun run = tx.execute(status -> {
            if (!runs.claim(tenantId, runId, owner, Instant.now().minus(properties.getStaleAfter()))) {
                return null;
            }
            SyncRun claimed = runs.find(tenantId, runId).orElseThrow();
            publishRun(claimed, claimed.checkpoint() != null ? "sync.resumed" : "sync.started");
            return claimed;
        });
        if (run == null) {
            return;
        }
        boolean resumed = run.checkpoint() != null;
        LOG.info("Sync run {} ({} {} {}) {} on {}", runId, run.entity(), run.mode(), run.direction(),
                resumed ? "resumed" : "started", owner);
        try {
            String outcome = "push".equals(run.direction()) ? push(run, owner) : pull(run, owner);
            finish(run, owner, outcome, null);
        } catch (LostOwnership e) {
            LOG.warn("Sync run {} was taken over by another instance; stopping here", runId);
        } catch (ProviderCallException e) {
            if (stopping(run, owner)) {
                return;
            }
            onProviderFailure(run, owner, e);
        } catch (RuntimeException e) {
            if (stopping(run, owner)) {
                return;
            }
            LOG.warn("Sync run {} failed: {}", runId, e.toString());
            finish(run, owner, SyncRun.FAILED, e.getMessage());
        } catch (Exception e) {
            LOG.warn("Sync run {} failed: {}", runId, e.toString());
            finish(run, owner, SyncRun.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** This instance is shutting down: the run goes back to the queue for another instance to resume. */
    private boolean stopping(SyncRun run, String owner) {
        if (!Thread.interrupted()) {
            return false;
        }
        LOG.info("Sync run {} handed back: this instance is stopping", run.id());
        runs.requeue(run.tenantId(), run.id(), owner, Instant.now(), "resumed after an instance stopped");
        return true;
    }

    private Connection activeConnection(SyncRun run) {
        Connection connection = connections.find(run.tenantId(), run.connectionId()).orElseThrow();
        if (connection.status() != ConnectionStatus.ACTIVE && connection.status() != ConnectionStatus.ERROR) {
            throw new IllegalStateException("connection is " + connection.status().wire());
        }
        return connection;
    }

    private String pull(SyncRun run, String owner) throws Exception {
        UUID tenantId = run.tenantId();
        Connection connection = activeConnection(run);
        SyncSource source = sources.find(connection.provider(), run.entity())
                .orElseThrow(() -> new IllegalStateException("no sync source for " + connection.provider() + "/" + run.entity()));
        boolean incremental = "incremental".equals(run.mode());
        String since = incremental && !run.ranged() ? runs.cursor(tenantId, connection.id(), run.entity()).orElse(null) : null;
        SyncContext context = new SyncContext(tenantId, connection.id(), run.id(), connection.provider(), run.entity(),
                run.mode(), run.from(), run.to(), since, connection.config(),
                http.scope(connection.provider(), tenantId, connection.id()));
        FieldMappings.Compiled mapping = mappings.compile(connection.provider(), run.entity(), connection.config());

        JsonNode checkpoint = run.checkpoint() == null ? null : mapper.readTree(run.checkpoint());
        String phase = checkpoint == null ? "pages" : checkpoint.path("phase").asText("pages");
        String cursor = checkpoint == null || checkpoint.path("cursor").isNull() ? null : checkpoint.path("cursor").asText(null);

        while ("pages".equals(phase)) {
            if (runs.cancelRequested(tenantId, run.id())) {
                return SyncRun.CANCELLED;
            }
            long fetchStart = System.nanoTime();
            Page page = source.fetchPage(context, cursor);
            long fetched = System.nanoTime();
            boolean last = page.nextCursor() == null;
            String next = last ? checkpoint("sweep", null) : checkpoint("pages", page.nextCursor());
            commitPage(run, owner, source, mapping, page, next, last, incremental, context);
            if (LOG.isDebugEnabled()) {
                LOG.debug("Sync run {}: page of {} fetched in {} ms, committed in {} ms", run.id(), page.items().size(),
                        (fetched - fetchStart) / 1_000_000, (System.nanoTime() - fetched) / 1_000_000);
            }
            cursor = page.nextCursor();
            if (last) {
                phase = "sweep";
            }
        }
        if ("full".equals(run.mode()) && !run.ranged()) {
            sweepDeleted(run, owner, source.model());
        }
        return SyncRun.SUCCEEDED;
    }

    private void commitPage(SyncRun run, String owner, SyncSource source, FieldMappings.Compiled mapping, Page page,
            String nextCheckpoint, boolean last, boolean incremental, SyncContext context) {
        List<Mapped> good = new ArrayList<>(page.items().size());
        List<Object[]> bad = new ArrayList<>();
        for (JsonNode raw : page.items()) {
            try {
                Mapped m = source.map(raw);
                if (m == null || m.externalId() == null || m.externalId().isBlank()) {
                    throw new IllegalArgumentException("the object has no id");
                }
                good.add(m.deleted() ? m : new Mapped(m.externalId(), mapping.apply(m.data(), raw), m.remoteUpdatedAt(),
                        false));
            } catch (RuntimeException e) {
                bad.add(new Object[] {raw, e});
            }
        }
        Instant now = Instant.now();
        tx.executeWithoutResult(status -> {
            List<Change> changes = records.apply(run.tenantId(), run.connectionId(), source.model(), good, now);
            String errors = null;
            if (!bad.isEmpty()) {
                errors = appendErrors(run, bad);
                for (Object[] b : bad) {
                    deadLetter(run, (JsonNode) b[0], (RuntimeException) b[1]);
                }
            }
            if (last && incremental && !run.ranged()) {
                String delta = page.deltaCursor() != null ? page.deltaCursor() : run.startedAt().toString();
                runs.saveCursor(run.tenantId(), run.connectionId(), run.entity(), delta);
            }
            long created = changes.stream().filter(c -> c.kind() == RecordStore.ChangeKind.created).count();
            long updated = changes.stream().filter(c -> c.kind() == RecordStore.ChangeKind.updated).count();
            long deleted = changes.size() - created - updated;
            if (!runs.checkpoint(run.tenantId(), run.id(), owner, nextCheckpoint, page.items().size(), page.total(),
                    created, updated, deleted, errors)) {
                throw new LostOwnership();
            }
            long written = System.nanoTime();
            publishChanges(run, changes);
            if (LOG.isDebugEnabled()) {
                LOG.debug("Sync run {}: {} change events published in {} ms", run.id(), changes.size(),
                        (System.nanoTime() - written) / 1_000_000);
            }
        });
    }

    private void sweepDeleted(SyncRun run, String owner, String model) {
        Instant seenBefore = run.startedAt();
        while (true) {
            int found = tx.execute(status -> {
                List<Change> gone = records.sweepUnseen(run.tenantId(), run.connectionId(), model, seenBefore,
                        properties.getSweepBatch(), Instant.now());
                if (!runs.checkpoint(run.tenantId(), run.id(), owner, checkpoint("sweep", null), 0, null, 0, 0,
                        gone.size(), null)) {
                    throw new LostOwnership();
                }
                publishChanges(run, gone);
                return gone.size();
            });
            if (found < properties.getSweepBatch()) {
                return;
            }
        }
    }

    // --- push runs ---

    /**
     * Phases, each checkpointed: {@code links} (every link pushed again from the data last pushed, in
     * {@code local_ref} order; the writer creates an object gone at the provider again), then for full runs
     * whose family lists what the hub created: {@code scan} (objects no link points to, created long enough
     * before the run, are noted in the checkpoint — nothing is deleted while the provider's paging is read)
     * and {@code delete}. A link or object the provider refuses is an error of the run, dead-lettered; the
     * run goes on. Unavailability, quota and authorisation stop the run as in pull runs.
     */
    private String push(SyncRun run, String owner) throws Exception {
        UUID tenantId = run.tenantId();
        Connection connection = activeConnection(run);
        PushTarget writer = targets.resyncWriter(connection.provider(), run.entity())
                .orElseThrow(() -> new IllegalStateException("no push target for " + connection.provider() + "/" + run.entity()));
        Optional<PushTarget> remover = targets.find(connection.provider(), run.entity(), PushTarget.Kind.DELETE);
        String model = writer.model();
        SyncContext context = new SyncContext(tenantId, connection.id(), run.id(), connection.provider(), run.entity(),
                run.mode(), null, null, null, connection.config(), http.scope(connection.provider(), tenantId, connection.id()));

        JsonNode checkpoint = run.checkpoint() == null ? mapper.createObjectNode() : mapper.readTree(run.checkpoint());
        String phase = checkpoint.path("phase").asText("links");
        String cursor = checkpoint.path("cursor").isTextual() ? checkpoint.get("cursor").asText() : null;
        Set<String> orphans = new LinkedHashSet<>();
        checkpoint.path("orphans").forEach(id -> orphans.add(id.asText()));
        long total = links.count(tenantId, connection.id(), model);
        int batch = properties.getPushBatch();
        boolean sweep = "full".equals(run.mode()) && remover.isPresent();

        while ("links".equals(phase)) {
            if (runs.cancelRequested(tenantId, run.id())) {
                return SyncRun.CANCELLED;
            }
            List<RecordLinks.Link> page = links.page(tenantId, connection.id(), model, cursor, batch);
            long created = 0;
            long updated = 0;
            List<Object[]> bad = new ArrayList<>();
            for (RecordLinks.Link link : page) {
                try {
                    if (link.data() == null) {
                        throw new IllegalStateException("the data last pushed was not kept for this link; run the action again");
                    }
                    PushTarget.Result result = writer.push(context, link.data(),
                            new PushTarget.Link(link.externalId(), link.version()));
                    links.repushed(tenantId, connection.id(), model, link, result);
                    if (Objects.equals(link.externalId(), result.externalId())) {
                        updated++;
                    } else {
                        created++;
                    }
                } catch (Exception e) {
                    bad.add(new Object[] {pushItem(link.externalId(), link.localRef(), link.data()), itemFailure(e)});
                }
            }
            boolean last = page.size() < batch;
            cursor = last ? null : page.get(page.size() - 1).localRef();
            phase = !last ? "links" : sweep ? "scan" : "done";
            commitPush(run, owner, pushCheckpoint(phase, cursor, orphans), page.size(), total, created, updated, 0, bad);
        }

        Instant createdBefore = run.startedAt().minus(properties.getPushOrphanMinAge());
        while ("scan".equals(phase)) {
            if (runs.cancelRequested(tenantId, run.id())) {
                return SyncRun.CANCELLED;
            }
            PushTarget.PushedPage page = writer.pushedObjects(context, cursor);
            List<PushTarget.Pushed> items = page == null ? List.of() : page.items();
            Set<String> linked = links.linkedAmong(tenantId, connection.id(), model,
                    items.stream().map(PushTarget.Pushed::externalId).toList());
            for (PushTarget.Pushed pushed : items) {
                if (!linked.contains(pushed.externalId()) && pushed.createdAt() != null
                        && pushed.createdAt().isBefore(createdBefore)) {
                    orphans.add(pushed.externalId());
                }
            }
            cursor = page == null ? null : page.nextCursor();
            phase = cursor != null ? "scan" : orphans.isEmpty() ? "done" : "delete";
            commitPush(run, owner, pushCheckpoint(phase, cursor, orphans), 0, total, 0, 0, 0, List.of());
        }

        while ("delete".equals(phase)) {
            if (runs.cancelRequested(tenantId, run.id())) {
                return SyncRun.CANCELLED;
            }
            List<String> slice = orphans.stream().limit(batch).toList();
            long deleted = 0;
            List<Object[]> bad = new ArrayList<>();
            for (String externalId : slice) {
                try {
                    remover.orElseThrow().delete(context, new PushTarget.Link(externalId, null));
                    deleted++;
                } catch (Exception e) {
                    bad.add(new Object[] {pushItem(externalId, null, null), itemFailure(e)});
                }
                orphans.remove(externalId);
            }
            phase = orphans.isEmpty() ? "done" : "delete";
            commitPush(run, owner, pushCheckpoint(phase, null, orphans), 0, total, 0, 0, deleted, bad);
        }
        return SyncRun.SUCCEEDED;
    }

    /** A failure of one pushed object; what concerns the whole run (quota, outage, authorisation, shutdown) is rethrown. */
    private RuntimeException itemFailure(Exception e) throws Exception {
        if (e instanceof ProviderCallException p && p.kind() != ProviderCallException.Kind.REJECTED) {
            throw e;
        }
        if (e instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
            throw e;
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getClass().getSimpleName() + ": "
                + e.getMessage(), e);
    }

    private ObjectNode pushItem(String externalId, String localRef, JsonNode data) {
        ObjectNode item = mapper.createObjectNode();
        item.put("id", externalId);
        item.put("localRef", localRef);
        if (data != null) {
            item.set("data", data);
        }
        return item;
    }

    private void commitPush(SyncRun run, String owner, String checkpoint, long processed, long total, long created,
            long updated, long deleted, List<Object[]> bad) {
        tx.executeWithoutResult(status -> {
            String errors = null;
            if (!bad.isEmpty()) {
                errors = appendErrors(run, bad);
                for (Object[] b : bad) {
                    deadLetter(run, (JsonNode) b[0], (RuntimeException) b[1]);
                }
            }
            if (!runs.checkpoint(run.tenantId(), run.id(), owner, checkpoint, processed, total, created, updated, deleted,
                    errors)) {
                throw new LostOwnership();
            }
        });
    }

    private String pushCheckpoint(String phase, String cursor, Set<String> orphans) {
        ObjectNode node = mapper.createObjectNode();
        node.put("phase", phase);
        node.put("cursor", cursor);
        ArrayNode ids = node.putArray("orphans");
        orphans.forEach(ids::add);
        return node.toString();
    }

    private void onProviderFailure(SyncRun run, String owner, ProviderCallException e) {
        LOG.warn("Sync run {} stopped by the provider: {} ({})", run.id(), e.getMessage(), e.kind());
        Connection connection = connections.find(run.tenantId(), run.connectionId()).orElseThrow();
        switch (e.kind()) {
            case DAILY_QUOTA -> {
                Instant resume = e.resumeAfter() != null ? e.resumeAfter()
                        : LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                connectionService.changeStatus(run.tenantId(), connection, ConnectionStatus.ERROR, e.getMessage());
                runs.requeue(run.tenantId(), run.id(), owner, resume, e.getMessage());
            }
            case QUOTA -> runs.requeue(run.tenantId(), run.id(), owner,
                    e.resumeAfter() != null ? e.resumeAfter() : Instant.now().plus(properties.getQueuedGrace()), e.getMessage());
            case UNAUTHORIZED -> {
                connectionService.changeStatus(run.tenantId(), connection, ConnectionStatus.REAUTH_REQUIRED, e.getMessage());
                finish(run, owner, SyncRun.FAILED, e.getMessage());
            }
            default -> finish(run, owner, SyncRun.FAILED, e.getMessage());
        }
    }

    private void finish(SyncRun run, String owner, String status, String message) {
        // The run's outcome and its sync.finished event commit together (the event goes through the outbox).
        SyncRunRepository.Finished finished = tx.execute(s -> {
            SyncRunRepository.Finished f = runs.finish(run.tenantId(), run.id(), owner, status, message);
            if (f.done()) {
                runs.find(run.tenantId(), run.id()).ifPresent(done -> publishRun(done, "sync.finished"));
            }
            return f;
        });
        if (!finished.done()) {
            return;
        }
        if (finished == SyncRunRepository.Finished.FINISHED_FOLLOW_UP && !SyncRun.CANCELLED.equals(status)) {
            // A change was announced while this run was reading: one more incremental pass picks it up.
            SyncService service = syncService.getIfAvailable();
            SyncRun next = service == null ? null : service.requestInternal(run.tenantId(), run.connectionId(), run.entity(),
                    "incremental", "follow-up");
            if (next != null) {
                service.dispatch(next);
            }
        }
        if (SyncRun.SUCCEEDED.equals(status)) {
            runs.markConnectionSynced(run.tenantId(), run.connectionId());
            connections.find(run.tenantId(), run.connectionId())
                    .filter(c -> c.status() == ConnectionStatus.ERROR)
                    .ifPresent(c -> connectionService.changeStatus(run.tenantId(), c, ConnectionStatus.ACTIVE, null));
        }
        LOG.info("Sync run {} {}", run.id(), status);
    }

    private String appendErrors(SyncRun run, List<Object[]> bad) {
        try {
            ArrayNode errors = (ArrayNode) mapper.readTree(runs.errors(run.tenantId(), run.id()));
            for (Object[] b : bad) {
                if (errors.size() >= properties.getMaxErrorsKept()) {
                    break;
                }
                JsonNode raw = (JsonNode) b[0];
                ObjectNode error = errors.addObject();
                JsonNode id = raw.path("id");
                error.put("externalId", id.isValueNode() ? id.asText() : null);
                if ("push".equals(run.direction())) {
                    error.put("localRef", raw.path("localRef").asText(null));
                }
                error.put("message", ((RuntimeException) b[1]).getMessage());
                error.put("deadLettered", true);
            }
            return mapper.writeValueAsString(errors);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The raw provider object goes to the platform dead-letter route, inside the page's transaction. */
    private void deadLetter(SyncRun run, JsonNode raw, RuntimeException cause) {
        Exchange result = producer.send(DeadLetterConfiguration.ENDPOINT, exchange -> {
            exchange.getMessage().setBody(raw.toString());
            exchange.getMessage().setHeader(TenantAuthFilter.TENANT_HEADER, run.tenantId().toString());
            exchange.getMessage().setHeader(DeadLetterStore.CONNECTION_HEADER, run.connectionId().toString());
            exchange.getMessage().setHeader(DeadLetterStore.SOURCE_TYPE_HEADER, "sync");
            exchange.getMessage().setHeader(DeadLetterStore.SOURCE_ID_HEADER, run.id().toString());
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, cause);
            exchange.setProperty(Exchange.FAILURE_ROUTE_ID, ROUTE_ID);
        });
        if (result.getException() != null) {
            throw new IllegalStateException("dead letter could not be stored", result.getException());
        }
    }

    private void publishChanges(SyncRun run, List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        List<OutboxMessage> envelopes = new ArrayList<>(changes.size());
        for (Change c : changes) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("connectionId", run.connectionId().toString());
            data.put("recordId", c.recordId().toString());
            data.put("model", c.model());
            data.put("externalId", c.externalId());
            data.put("change", c.kind().name());
            data.put("syncRunId", run.id().toString());
            if (c.data() != null) {
                data.put("data", c.data());
            }
            envelopes.add(events.message(HubTopics.RECORD_CHANGES, run.connectionId().toString(), "record." + c.kind().name(),
                    "connections/" + run.connectionId() + "/records/" + c.model() + "/" + c.externalId(), run.tenantId(), data));
        }
        // One batch insert into the outbox, in the page's transaction: the events exist exactly when the page does.
        events.publishAll(envelopes);
    }

    private void publishRun(SyncRun run, String type) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("syncRunId", run.id().toString());
        data.put("connectionId", run.connectionId().toString());
        data.put("entity", run.entity());
        data.put("direction", run.direction());
        data.put("mode", run.mode());
        data.put("status", run.status());
        data.put("recordsProcessed", run.recordsProcessed());
        data.put("created", run.created());
        data.put("updated", run.updated());
        data.put("deleted", run.deleted());
        data.put("errors", run.errors() == null ? 0 : run.errors().size());
        if (run.message() != null) {
            data.put("message", run.message());
        }
        events.publish(HubTopics.SYNCS, run.connectionId().toString(), type, "syncs/" + run.id(), run.tenantId(), data);
    }

    private String checkpoint(String phase, String cursor) {
        ObjectNode node = mapper.createObjectNode();
        node.put("phase", phase);
        node.put("cursor", cursor);
        return node.toString();
    }
}
