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
import java.util.concurrent.CompletableFuture;

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
import com.fasterxml.jackson.databind.util.RawValue;

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
 * The steps of route {@code sync.run} ({@code camel/sync.camel.yaml}): claim, prepare, per page (loop
 * {@code sync.run.pages}) cancel check, page request, the family's page route, transform and commit; then sweep,
 * finish, or the failure handling of the route's {@code doCatch}. The run's state travels in exchange property
 * {@value #STATE}. A pull run goes page by page. Each page's records, change events (outbox rows), dead letters and
 * the run's checkpoint commit in one transaction, fenced by run ownership; so a run interrupted anywhere resumes
 * (on any instance) from the last committed page, and only one page is ever held in memory.
 *
 * <p>A push run ({@code direction: push}) pushes every {@code localRef ↔ externalId} link of the model again
 * through the family's {@link PushTarget}, batch by batch with the same checkpoints, counters and events;
 * a full one then removes the objects the hub created that no link points to any more.
 */
@Component("syncEngine")
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
    private final org.springframework.beans.factory.ObjectProvider<SyncWorkers> workers;

    public SyncEngine(SyncRunRepository runs, RecordStore records, SyncSources sources, FieldMappings mappings,
            ConnectionRepository connections, ConnectionService connectionService, ProviderHttp http,
            EventPublisher events, ProducerTemplate producer, TransactionTemplate tx, ObjectMapper mapper,
            SyncProperties properties, PushTargets targets, RecordLinks links,
            org.springframework.beans.factory.ObjectProvider<SyncService> syncService,
            org.springframework.beans.factory.ObjectProvider<SyncWorkers> workers) {
        this.syncService = syncService;
        this.workers = workers;
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

    /** Exchange property: the run's state between the steps of route {@code sync.run} ({@link RunState}). */
    public static final String STATE = "HubSyncRun";
    /** Exchange property: whether this instance claimed the run (route {@code sync.run} stops otherwise). */
    public static final String CLAIMED = "HubSyncClaimed";
    /** Exchange property: {@code pull} or {@code push}. */
    public static final String DIRECTION = "HubSyncDirection";
    /** Exchange property: whether the page loop goes on. */
    public static final String PAGING = "HubSyncPaging";
    /** Exchange property: the page route of the run's provider and entity ({@code direct:<provider>.<entity>.page}). */
    public static final String PAGE_URI = "HubSyncPageUri";
    /** The platform page route for a {@link SyncSource} bean whose family has no page route of its own. */
    public static final String SOURCE_PAGE_ROUTE = "direct:sync.source.page";
    /** Where provider families keep their Java ({@code io.integrationhub.provider.<family>}). */
    static final String FAMILY_PACKAGE_PREFIX = "io.integrationhub.provider.";
    /** Outcome of a run handed back to the queue because this instance is stopping. */
    private static final String HANDED_BACK = "handed-back";

    /** What the steps of route {@code sync.run} share about one run. */
    public static final class RunState {
        final SyncRun run;
        final String owner;
        SyncSource source;
        boolean javaSource;
        SyncContext context;
        /** The connection's provider account id, for page routes ({@code HubAccountId}). */
        String account;
        FieldMappings.Compiled mapping;
        boolean incremental;
        String cursor;
        Page page;
        List<Mapped> good;
        /** The good records' canonical JSON and hash, computed while mapping (off the page's transaction). */
        Map<ObjectNode, RecordStore.Canonical> canonical;
        List<Object[]> bad;
        /** The page route's {@code progress} (0..1, how much of the run's span is covered), when it tells one. */
        Double progress;
        String outcome;
        /** The previous page's commit while it is written behind (write-behind, {@code hub.sync.write-behind}). */
        CompletableFuture<Void> pending;
        /** The page before that one's commit, still in flight ({@code hub.sync.write-behind-pages} 2). */
        CompletableFuture<Void> older;
        /** When the run last read whether it was cancelled ({@link System#nanoTime()}; {@code hub.sync.cancel-check-interval}). */
        long cancelCheckedAt;
        boolean cancelChecked;

        RunState(SyncRun run, String owner) {
            this.run = run;
            this.owner = owner;
        }

        public SyncRun run() {
            return run;
        }

        public String cursor() {
            return cursor;
        }
    }

    /**
     * Step {@code sync.run.claim}: body {@link SyncRunRepository.RunRef}. The claim and its sync.started /
     * sync.resumed event commit together (the event goes through the outbox); another instance's run is left alone.
     */
    public void claim(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        SyncRunRepository.RunRef ref = exchange.getMessage().getMandatoryBody(SyncRunRepository.RunRef.class);
        String owner = workers.getObject().owner();
        SyncRun run = tx.execute(status -> {
            if (!runs.claim(ref.tenantId(), ref.runId(), owner, Instant.now().minus(properties.getStaleAfter()))) {
                return null;
            }
            SyncRun claimed = runs.find(ref.tenantId(), ref.runId()).orElseThrow();
            publishRun(claimed, claimed.checkpoint() != null ? "sync.resumed" : "sync.started");
            return claimed;
        });
        exchange.setProperty(CLAIMED, run != null);
        if (run == null) {
            return;
        }
        LOG.info("Sync run {} ({} {} {}) {} on {}", run.id(), run.entity(), run.mode(), run.direction(),
                run.checkpoint() != null ? "resumed" : "started", owner);
        exchange.setProperty(STATE, new RunState(run, owner));
        exchange.setProperty(DIRECTION, run.direction());
    }

    /** Step {@code sync.run.prepare}: the source, the mapping, the stored cursor and the checkpoint of a pull run. */
    public void prepare(Exchange exchange) throws Exception {
        RunState state = state(exchange);
        SyncRun run = state.run;
        UUID tenantId = run.tenantId();
        Connection connection = activeConnection(run);
        state.account = connection.account() == null ? null : connection.account().id();
        Optional<SyncSource> bean = sources.bean(connection.provider(), run.entity());
        state.javaSource = bean.isPresent();
        state.source = bean.or(() -> sources.find(connection.provider(), run.entity()))
                .orElseThrow(() -> new IllegalStateException("no sync source for " + connection.provider() + "/" + run.entity()));
        String familyPage = "direct:" + connection.provider() + "." + run.entity() + ".page";
        // A family's page route wraps its own Java source (Outlook mail); a bean from outside the family's package
        // overrides the family (a test double, an operator's source) and pages through sync.source.page.
        boolean familyBean = bean.isPresent() && bean.get().getClass().getPackageName()
                .startsWith(FAMILY_PACKAGE_PREFIX);
        exchange.setProperty(PAGE_URI, !state.javaSource || familyBean && routed(exchange, familyPage) ? familyPage
                : SOURCE_PAGE_ROUTE);
        state.incremental = "incremental".equals(run.mode());
        String since = state.incremental && !run.ranged() ? runs.cursor(tenantId, connection.id(), run.entity()).orElse(null) : null;
        state.context = new SyncContext(tenantId, connection.id(), run.id(), connection.provider(), run.entity(),
                run.mode(), run.from(), run.to(), since, connection.config(),
                http.scope(connection.provider(), tenantId, connection.id()));
        state.mapping = mappings.compile(connection.provider(), run.entity(), connection.config());
        JsonNode checkpoint = run.checkpoint() == null ? null : mapper.readTree(run.checkpoint());
        String phase = checkpoint == null ? "pages" : checkpoint.path("phase").asText("pages");
        state.cursor = checkpoint == null || checkpoint.path("cursor").isNull() ? null : checkpoint.path("cursor").asText(null);
        exchange.setProperty(PAGING, "pages".equals(phase));
    }

    private static boolean routed(Exchange exchange, String uri) {
        String endpoint = "direct://" + uri.substring("direct:".length());
        return exchange.getContext().getRoutes().stream().anyMatch(r -> r.getEndpoint().getEndpointUri().equals(endpoint));
    }

    /**
     * Step {@code sync.run.cancel-check}, at every page boundary: a cancelled run stops here (committed pages stay);
     * an instance that is stopping hands the run back to the queue for another instance to resume. The run's row is
     * read at the first boundary and then once per {@code hub.sync.cancel-check-interval} at most.
     */
    public void cancelCheck(Exchange exchange) {
        RunState state = state(exchange);
        if (exchange.getContext().isStopping() || Thread.currentThread().isInterrupted()) {
            awaitCommit(state);
            LOG.info("Sync run {} handed back: this instance is stopping", state.run.id());
            runs.requeue(state.run.tenantId(), state.run.id(), state.owner, Instant.now(), "resumed after an instance stopped");
            state.outcome = HANDED_BACK;
            exchange.setProperty(PAGING, false);
        } else if (cancelDue(state) && runs.cancelRequested(state.run.tenantId(), state.run.id())) {
            awaitCommit(state);
            state.outcome = SyncRun.CANCELLED;
            exchange.setProperty(PAGING, false);
        }
    }

    /** Whether this page boundary reads the run's cancel flag (the first does; then once per interval). */
    private boolean cancelDue(RunState state) {
        long now = System.nanoTime();
        if (state.cancelChecked && now - state.cancelCheckedAt < properties.getCancelCheckInterval().toNanos()) {
            return false;
        }
        state.cancelChecked = true;
        state.cancelCheckedAt = now;
        return true;
    }

    /**
     * Step {@code sync.run.page-request}: what a page route reads — body {@code {cursor, since, mode, from, to, config}},
     * properties {@code HubTenantId}, {@code HubConnectionId}, {@code HubConfig}, {@code HubAccountId}, {@code HubCursor}
     * (the cursor, when there is one; the run's state stays in
     * {@code HubSyncRun} for page routes that call a {@link SyncSource} bean).
     */
    public void pageRequest(Exchange exchange) {
        RunState state = state(exchange);
        SyncContext context = state.context;
        ObjectNode in = mapper.createObjectNode();
        in.put("cursor", state.cursor);
        in.put("since", context.since());
        in.put("mode", context.mode());
        in.put("from", context.rangeFrom() == null ? null : context.rangeFrom().toString());
        in.put("to", context.rangeTo() == null ? null : context.rangeTo().toString());
        in.set("config", context.config() == null ? mapper.createObjectNode() : context.config());
        exchange.setProperty(io.integrationhub.platform.resilience.ProviderCalls.TENANT, context.tenantId());
        exchange.setProperty(io.integrationhub.platform.resilience.ProviderCalls.CONNECTION, context.connectionId());
        exchange.setProperty("HubConfig", context.config() != null && context.config().isObject()
                ? mapper.convertValue(context.config(), Map.class) : Map.of());
        if (state.account != null) {
            exchange.setProperty("HubAccountId", state.account);
        }
        // The run's cursor as RouteFamilies hands it to page routes outside a run (exchange property HubCursor, for
        // routes that put it into a URL: a provider's next link). Every page of a run is the same exchange, so a
        // first page must not see a cursor either: without this, BC's page route re-read its first page forever.
        if (state.cursor == null) {
            exchange.removeProperty(io.integrationhub.platform.family.RouteFamilies.CURSOR);
        } else {
            exchange.setProperty(io.integrationhub.platform.family.RouteFamilies.CURSOR, state.cursor);
        }
        exchange.getMessage().setBody(in.toString());
        state.page = null;
    }

    /**
     * The step of a page route over a {@link SyncSource} bean ({@code direct:sync.source.page} and the Microsoft
     * family's {@code direct:<provider>.<entity>.page}): the source's {@code fetchPage} for the run's cursor.
     */
    public Page fetchPage(Exchange exchange) throws Exception {
        RunState state = state(exchange);
        return state.source.fetchPage(state.context, state.cursor);
    }

    /**
     * Step {@code sync.run.transform}: the page the route answered (a {@link Page}, or a family's JSON page)
     * through the family mapping and the connection's overrides ({@code config.mappings}); records the mapper
     * rejects are kept aside to be dead-lettered with the page.
     */
    public void transform(Exchange exchange) throws Exception {
        RunState state = state(exchange);
        Object body = exchange.getMessage().getBody();
        Page page;
        if (body instanceof Page p) {
            page = p;
        } else {
            JsonNode json = body instanceof JsonNode node ? node : jsonPage(exchange.getMessage().getBody(String.class));
            List<JsonNode> items = new ArrayList<>();
            json.path("items").forEach(items::add);
            String next = json.path("nextCursor").isValueNode() && !json.path("nextCursor").isNull()
                    ? json.get("nextCursor").asText() : null;
            Long total = json.path("total").isNumber() ? json.get("total").asLong() : null;
            String delta = json.path("deltaCursor").isValueNode() && !json.path("deltaCursor").isNull()
                    ? json.get("deltaCursor").asText() : null;
            page = new Page(items, next == null || next.isBlank() ? null : next, total, delta);
            state.progress = json.path("progress").isNumber()
                    ? Math.max(0, Math.min(1, json.get("progress").asDouble())) : null;
        }
        List<Mapped> good = new ArrayList<>(page.items().size());
        List<Object[]> bad = new ArrayList<>();
        for (JsonNode raw : page.items()) {
            try {
                Mapped m = state.source.map(raw);
                if (m == null || m.externalId() == null || m.externalId().isBlank()) {
                    throw new IllegalArgumentException("the object has no id");
                }
                good.add(m.deleted() ? m : new Mapped(m.externalId(), state.mapping.apply(m.data(), raw), m.remoteUpdatedAt(),
                        false));
            } catch (RuntimeException e) {
                bad.add(new Object[] {raw, e});
            }
        }
        state.page = page;
        state.good = good;
        state.canonical = records.canonicalize(good);
        state.bad = bad;
        exchange.getMessage().setBody(null);
    }

    private JsonNode jsonPage(String text) throws JsonProcessingException {
        return text == null || text.isBlank() ? mapper.createObjectNode() : mapper.readTree(text);
    }

    /**
     * Step {@code sync.run.commit}: the page's records, dead letters, checkpoint (and on the last page of an
     * incremental run the cursor) and change events in one transaction fenced by ownership.
     */
    public void commit(Exchange exchange) {
        RunState state = state(exchange);
        Page page = state.page;
        boolean last = page.nextCursor() == null;
        boolean overlap = !last && properties.isWriteBehind() && properties.getWriteBehindPages() > 1 && records.overlapsPages();
        if (overlap) {
            awaitOlder(state); // the page before the previous one: at most two pages in flight
        } else {
            awaitCommit(state);
        }
        String next = last ? checkpoint("sweep", null) : checkpoint("pages", page.nextCursor());
        SyncRun run = state.run;
        String owner = state.owner;
        SyncSource source = state.source;
        List<Mapped> good = state.good;
        Map<ObjectNode, RecordStore.Canonical> canonical = state.canonical;
        List<Object[]> bad = state.bad;
        boolean incremental = state.incremental;
        Double progress = state.progress;
        if (last || !properties.isWriteBehind()) {
            commitPage(run, owner, source, page, good, canonical, bad, next, last, incremental, progress, null);
        } else {
            // Written behind: the next page is fetched and mapped meanwhile; the next commit (or the end of the run)
            // waits for this one, so pages commit in order and a failure surfaces at the next page boundary.
            // With two pages in flight this page's upsert runs beside the previous page's transaction, and waits for
            // that one to commit before it writes its checkpoint and events (pages still commit in order; the
            // previous page's failure rolls this one back).
            CompletableFuture<Void> before = overlap ? state.pending : null;
            state.older = before;
            state.pending = CompletableFuture.runAsync(
                    () -> commitPage(run, owner, source, page, good, canonical, bad, next, false, incremental, progress,
                            before),
                    committer);
        }
        state.cursor = page.nextCursor();
        state.page = null;
        state.good = null;
        state.canonical = null;
        state.bad = null;
        if (last) {
            exchange.setProperty(PAGING, false);
        }
    }

    /** Step {@code sync.run.sweep}: after a full (not ranged) pull, records not seen since the run started are deleted. */
    public void sweep(Exchange exchange) {
        RunState state = state(exchange);
        if (state.outcome == null && "full".equals(state.run.mode()) && !state.run.ranged()) {
            sweepDeleted(state.run, state.owner, state.source.model());
        }
    }

    /** Step {@code sync.run.push}: a push run, its phases checkpointed like pages. */
    public void push(Exchange exchange) throws Exception {
        RunState state = state(exchange);
        state.outcome = push(state.run, state.owner);
    }

    /** Step {@code sync.run.finish}: the run's outcome and its sync.finished event; a follow-up run if one was asked for. */
    public void finish(Exchange exchange) {
        RunState state = state(exchange);
        awaitCommit(state);
        if (HANDED_BACK.equals(state.outcome)) {
            return;
        }
        finish(state.run, state.owner, state.outcome == null ? SyncRun.SUCCEEDED : state.outcome, null);
    }

    /**
     * Step {@code sync.run.failed} (the route's {@code doCatch}): a run taken over stops without touching it; a provider
     * failure requeues (quota) or fails the run; anything else fails it with its message.
     */
    public void failed(Exchange exchange) {
        RunState state = state(exchange);
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (state != null) {
            try {
                // the page written behind first: the run's checkpoint is then the last committed page
                awaitCommit(state);
            } catch (RuntimeException | Error commitFailure) {
                e = commitFailure; // e.g. LostOwnership: the commit's failure decides what happens to the run
            }
        }
        SyncRun run = state.run;
        String owner = state.owner;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof Error error) {
                // Like a killed process: the run is left as it is (running, its heartbeat stops) for a sweep to resume.
                LOG.error("Sync run {} abandoned: {}", run.id(), error.toString());
                return;
            }
        }
        while (e instanceof org.apache.camel.CamelExecutionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof LostOwnership) {
            LOG.warn("Sync run {} was taken over by another instance; stopping here", run.id());
            return;
        }
        if (stopping(run, owner)) {
            return;
        }
        if (e instanceof ProviderCallException p) {
            onProviderFailure(run, owner, p);
        } else if (e instanceof RuntimeException) {
            LOG.warn("Sync run {} failed: {}", run.id(), e.toString());
            finish(run, owner, SyncRun.FAILED, e.getMessage());
        } else {
            LOG.warn("Sync run {} failed: {}", run.id(), String.valueOf(e));
            String message = e == null ? "failed" : !state.javaSource && state.source != null
                    ? exchange.getProperty(PAGE_URI, String.class) + " failed: " + e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            finish(run, owner, SyncRun.FAILED, message);
        }
    }

    private static RunState state(Exchange exchange) {
        return exchange.getProperty(STATE, RunState.class);
    }

    /** Waits for the page commits written behind, if any, oldest first, and throws what they threw. */
    private static void awaitCommit(RunState state) {
        awaitOlder(state);
        CompletableFuture<Void> pending = state.pending;
        state.pending = null;
        join(pending);
    }

    /** Waits for the older of two page commits in flight, if any, and throws what it threw. */
    private static void awaitOlder(RunState state) {
        CompletableFuture<Void> older = state.older;
        state.older = null;
        join(older);
    }

    private static void join(CompletableFuture<Void> commit) {
        if (commit == null) {
            return;
        }
        try {
            commit.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** The threads page commits are written behind on (up to two pages in flight per run, hub.sync.write-behind-pages). */
    private final java.util.concurrent.ExecutorService committer = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sync-commit");
        t.setDaemon(true);
        return t;
    });

    @jakarta.annotation.PreDestroy
    void stopCommitter() {
        committer.shutdown();
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

    /**
     * Objects a family fetched outside a run (a webhook naming one changed object): a page answer
     * {@code {items: [{externalId, data, remoteUpdatedAt, deleted}]}} of the entity's page route shape, mapped by the
     * family and the connection's {@code config.mappings} like a run's page, stored and announced in one transaction
     * (change events without {@code syncRunId}). Answers how many records changed.
     */
    public int storeItems(UUID tenantId, UUID connectionId, String entity, String pageJson) throws JsonProcessingException {
        return store(tenantId, connectionId, entity, jsonPage(pageJson).path("items"), null).size();
    }

    /**
     * The one way to store objects fetched outside a run ({@link #storeItems}, {@link #applyFamilyRecords} and the
     * routes' bean {@code recordWrites}): page items of {@code entity} mapped by the family and the connection's
     * {@code config.mappings}, written with their change events (and the entity's status events) in one transaction,
     * so an unchanged object announces nothing. {@code eventSource}, when not null, is the events' {@code source}
     * (e.g. {@code webhook}). Answers the changes.
     */
    public List<Change> store(UUID tenantId, UUID connectionId, String entity, JsonNode items, String eventSource) {
        Connection connection = connections.find(tenantId, connectionId)
                .orElseThrow(() -> new IllegalStateException("no connection " + connectionId));
        SyncSource source = sources.bean(connection.provider(), entity).or(() -> sources.find(connection.provider(), entity))
                .orElseThrow(() -> new IllegalStateException("no sync source for " + connection.provider() + "/" + entity));
        FieldMappings.Compiled mapping = mappings.compile(connection.provider(), entity, connection.config());
        List<Mapped> good = new ArrayList<>();
        for (JsonNode raw : items) {
            Mapped m = source.map(raw);
            good.add(m.deleted() ? m : new Mapped(m.externalId(), mapping.apply(m.data(), raw), m.remoteUpdatedAt(), false));
        }
        List<Change> changed = tx.execute(status -> {
            List<Change> applied = records.apply(tenantId, connectionId, source.model(), good, Instant.now());
            publishChanges(tenantId, connectionId, null, eventSource, applied);
            publishStatusEvents(tenantId, connectionId, null, source, applied);
            return applied;
        });
        return changed == null ? List.of() : changed;
    }

    private Connection activeConnection(SyncRun run) {
        Connection connection = connections.find(run.tenantId(), run.connectionId()).orElseThrow();
        if (connection.status() != ConnectionStatus.ACTIVE && connection.status() != ConnectionStatus.ERROR) {
            throw new IllegalStateException("connection is " + connection.status().wire());
        }
        return connection;
    }

    private void commitPage(SyncRun run, String owner, SyncSource source, Page page, List<Mapped> good,
            Map<ObjectNode, RecordStore.Canonical> canonical, List<Object[]> bad, String nextCheckpoint, boolean last,
            boolean incremental, Double progress, CompletableFuture<Void> before) {
        Instant now = Instant.now();
        tx.executeWithoutResult(status -> {
            List<Change> changes = records.apply(run.tenantId(), run.connectionId(), source.model(), good, canonical, now);
            // the previous page first: its checkpoint and events precede this page's; its failure rolls this one back
            join(before);
            String errors = null;
            if (!bad.isEmpty()) {
                errors = appendErrors(run, bad);
                for (Object[] b : bad) {
                    deadLetter(run, (JsonNode) b[0], (RuntimeException) b[1]);
                }
            }
            // A full run that ends with the source's delta position (e.g. Drive's start page token) also saves it:
            // the next incremental run starts where the full read began instead of reading everything again.
            if (last && !run.ranged() && (incremental || page.deltaCursor() != null)) {
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
            if (progress != null) {
                runs.progress(run.tenantId(), run.id(), progress);
            }
            publishChanges(run, changes);
            publishStatusEvents(run.tenantId(), run.connectionId(), run.id(), source, changes);
        });
    }

    private void sweepDeleted(SyncRun run, String owner, String model) {
        Instant seenBefore = run.startedAt();
        String[] after = {null};
        while (true) {
            int found = tx.execute(status -> {
                List<Change> gone = records.sweepUnseen(run.tenantId(), run.connectionId(), model, seenBefore, after[0],
                        properties.getSweepBatch(), Instant.now());
                if (!runs.checkpoint(run.tenantId(), run.id(), owner, checkpoint("sweep", null), 0, null, 0, 0,
                        gone.size(), null)) {
                    throw new LostOwnership();
                }
                publishChanges(run, gone);
                if (!gone.isEmpty()) {
                    after[0] = gone.get(gone.size() - 1).externalId();
                }
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
            List<RecordLinks.Link> sendable = new ArrayList<>();
            for (RecordLinks.Link link : page) {
                if (link.data() == null) {
                    bad.add(new Object[] {pushItem(link.externalId(), link.localRef(), null), new IllegalStateException(
                            "the data last pushed was not kept for this link; run the action again")});
                } else {
                    sendable.add(link);
                }
            }
            // One call of the family's batch writer (one push each where it has none); the provider may refuse some items.
            List<PushTarget.BatchOutcome> outcomes;
            try {
                outcomes = sendable.isEmpty() ? List.of() : writer.pushBatch(context, sendable.stream()
                        .map(l -> new PushTarget.BatchItem(l.localRef(), l.data(), new PushTarget.Link(l.externalId(), l.version())))
                        .toList());
            } catch (Exception e) {
                RuntimeException failure = itemFailure(e);
                outcomes = sendable.stream().map(l -> new PushTarget.BatchOutcome(null, failure)).toList();
            }
            for (int i = 0; i < sendable.size(); i++) {
                RecordLinks.Link link = sendable.get(i);
                PushTarget.BatchOutcome outcome = i < outcomes.size() ? outcomes.get(i)
                        : new PushTarget.BatchOutcome(null, new IllegalStateException("the provider answered nothing for it"));
                if (outcome.result() == null) {
                    bad.add(new Object[] {pushItem(link.externalId(), link.localRef(), link.data()), outcome.failure() == null
                            ? new IllegalStateException("the provider answered no id for it") : itemFailure(outcome.failure())});
                    continue;
                }
                links.repushed(tenantId, connection.id(), model, link, outcome.result());
                if (outcome.failure() != null) {
                    // Written, but not completely (e.g. associations that failed after the write): the link keeps the
                    // object, the run reports the error.
                    bad.add(new Object[] {pushItem(outcome.result().externalId(), link.localRef(), link.data()),
                            itemFailure(outcome.failure())});
                    continue;
                }
                if (Objects.equals(link.externalId(), outcome.result().externalId())) {
                    updated++;
                } else {
                    created++;
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
        publishChanges(run.tenantId(), run.connectionId(), run.id(), null, changes);
    }

    private void publishChanges(UUID tenantId, UUID connection, UUID run, String eventSource, List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        List<OutboxMessage> envelopes = new ArrayList<>(changes.size());
        String connectionId = connection.toString();
        String runId = run == null ? null : run.toString();
        for (Change c : changes) {
            // a tree, not a map: the record's data is set into the event as it is, not copied
            ObjectNode data = mapper.createObjectNode();
            data.put("connectionId", connectionId);
            data.put("recordId", c.recordId().toString());
            data.put("model", c.model());
            data.put("externalId", c.externalId());
            data.put("change", c.kind().name());
            if (eventSource != null) {
                data.put("source", eventSource);
            }
            if (runId != null) {
                data.put("syncRunId", runId);
            }
            if (c.json() != null) {
                // the record's data as the page's write serialised it: not written a second time
                data.putRawValue("data", new RawValue(c.json()));
            } else if (c.data() != null) {
                data.set("data", c.data());
            }
            envelopes.add(events.message(HubTopics.RECORD_CHANGES, connectionId, "record." + c.kind().name(),
                    "connections/" + connectionId + "/records/" + c.model() + "/" + c.externalId(), tenantId, data));
        }
        // One batch insert into the outbox, in the page's transaction: the events exist exactly when the page does.
        events.publishAll(envelopes);
    }

    /**
     * A record that reached a status its entity announces (catalog {@code statusEvents}, e.g. {@code invoice.paid}):
     * the event goes out with the change that wrote it, so a record read again unchanged announces nothing.
     */
    private void publishStatusEvents(UUID tenantId, UUID connectionId, UUID runId, SyncSource source, List<Change> changes) {
        for (Change c : changes) {
            String type = c.data() == null ? null : source.statusEvent(c.data().path("status").asText(null));
            if (type == null) {
                continue;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("connectionId", connectionId.toString());
            data.put("recordId", c.recordId().toString());
            data.put("model", c.model());
            data.put("externalId", c.externalId());
            data.put("status", c.data().path("status").asText());
            if (runId != null) {
                data.put("syncRunId", runId.toString());
            }
            data.put("data", c.data());
            events.publish(HubTopics.RECORD_CHANGES, connectionId.toString(), type,
                    "connections/" + connectionId + "/records/" + c.model() + "/" + c.externalId(), tenantId, data);
        }
    }

    /**
     * Records a family route read outside a sync run — a webhook's fetch of the object it names — written like a
     * page of a pull of {@code entity}: the family's page JSON ({@code {items: [...]}}) as body, exchange properties
     * (or headers) {@code HubTenantId}, {@code HubConnectionId} and {@code HubEntity}; the connection's own mapping
     * applies, the changes and status events go out on {@code hub.records.changes}. Answers how many records changed.
     */
    public int applyFamilyRecords(Exchange exchange) throws Exception {
        return storeItems(UUID.fromString(value(exchange, "HubTenantId")), UUID.fromString(value(exchange, "HubConnectionId")),
                value(exchange, "HubEntity"), exchange.getMessage().getBody(String.class));
    }

    private static String value(Exchange exchange, String name) {
        Object v = exchange.getProperty(name);
        if (v == null) {
            v = exchange.getMessage().getHeader(name);
        }
        if (v == null) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return v.toString();
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
