package io.integrationhub.platform.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.cluster.QuartzInstanceIds;

/**
 * This instance's share of the sync runs. The runs themselves execute on Camel's threads: routes {@code sync.requests}
 * and {@code sync.sweep} hand a run to the queue {@code seda:sync.runs}, whose {@code hub.sync.workers} concurrent
 * consumers (route {@code sync.workers}) call {@code direct:sync.run}. This bean keeps which runs are queued or
 * executing here (so a run is handed over once per instance), the heartbeat proving the runs it executes are alive,
 * and the sweep's choice of runs whose owner died or whose request was lost.
 * <p>
 * On shutdown (SIGTERM) it stops first of the lifecycle beans, before the web server drains and Camel stops: from
 * then on the sweep takes no run over, so a run handed back at its page boundary (step {@code sync.run.cancel-check}
 * while Camel stops) goes to another instance instead of being picked up again by this stopping one.
 */
@Component("syncWorkers")
public class SyncWorkers implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SyncWorkers.class);

    /** Exchange property of route {@code sync.workers}: the run in hand. */
    static final String REF = "HubSyncRef";

    private final SyncRunRepository runs;
    private final SyncProperties properties;
    private final String owner;
    private final Set<UUID> pending = ConcurrentHashMap.newKeySet();
    private final Set<UUID> executing = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    public SyncWorkers(SyncRunRepository runs, SyncProperties properties) {
        this.runs = runs;
        this.properties = properties;
        this.owner = QuartzInstanceIds.hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String owner() {
        return owner;
    }

    /** The run to hand to {@code seda:sync.runs}, or null when this instance already has it in hand. */
    public SyncRunRepository.RunRef accept(UUID tenantId, UUID runId) {
        return pending.add(runId) ? new SyncRunRepository.RunRef(tenantId, runId) : null;
    }

    /** Step {@code sync.workers.begin}: the run is executing here (the heartbeat covers it). */
    public void begin(org.apache.camel.Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        SyncRunRepository.RunRef ref = exchange.getMessage().getMandatoryBody(SyncRunRepository.RunRef.class);
        exchange.setProperty(REF, ref);
        executing.add(ref.runId());
    }

    /** Step {@code sync.workers.end}: whatever the outcome, this instance no longer holds the run. */
    public void end(org.apache.camel.Exchange exchange) {
        SyncRunRepository.RunRef ref = exchange.getProperty(REF, SyncRunRepository.RunRef.class);
        if (ref != null) {
            executing.remove(ref.runId());
            pending.remove(ref.runId());
        }
    }

    public void heartbeat() {
        runs.heartbeat(owner, List.copyOf(executing));
    }

    /** Orphaned runs to pick up: stale running ones (owner crashed) and queued ones nobody started. */
    public List<SyncRunRepository.RunRef> sweep() {
        if (!running) {
            return List.of();
        }
        Instant now = Instant.now();
        List<SyncRunRepository.RunRef> picked = new ArrayList<>();
        for (SyncRunRepository.RunRef ref : runs.orphans(now.minus(properties.getStaleAfter()),
                now.minus(properties.getQueuedGrace()), properties.getWorkers() * 4)) {
            if (accept(ref.tenantId(), ref.runId()) != null) {
                LOG.info("Picking up sync run {}", ref.runId());
                picked.add(ref);
            }
        }
        return picked;
    }

    @Override
    public void start() {
        running = true;
    }

    /** Shutdown has begun: take no more runs over (runs in hand finish their page and are handed back). */
    @Override
    public void stop() {
        running = false;
        LOG.info("Sync workers draining: {} run(s) in hand", executing.size());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    public boolean isExecuting(UUID runId) {
        return executing.contains(runId);
    }

}
