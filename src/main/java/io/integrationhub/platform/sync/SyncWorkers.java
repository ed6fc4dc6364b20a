package io.integrationhub.platform.sync;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * This instance's sync workers: a bounded pool executing runs, a heartbeat proving the runs it owns
 * are alive, and a sweep that picks up runs whose owner died or whose request was lost.
 */
@Component("syncWorkers")
public class SyncWorkers implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(SyncWorkers.class);

    private final SyncEngine engine;
    private final SyncRunRepository runs;
    private final SyncProperties properties;
    private final String owner;
    private final ThreadPoolExecutor pool;
    private final Set<UUID> pending = ConcurrentHashMap.newKeySet();
    private final Set<UUID> executing = ConcurrentHashMap.newKeySet();

    public SyncWorkers(SyncEngine engine, SyncRunRepository runs, SyncProperties properties) {
        this.engine = engine;
        this.runs = runs;
        this.properties = properties;
        this.owner = hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(properties.getWorkers(), properties.getWorkers(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "sync-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    public String owner() {
        return owner;
    }

    /** Executes the run here unless this instance already has it in hand. */
    public void submit(UUID tenantId, UUID runId) {
        if (!pending.add(runId)) {
            return;
        }
        pool.execute(() -> {
            executing.add(runId);
            try {
                engine.execute(tenantId, runId, owner);
            } finally {
                executing.remove(runId);
                pending.remove(runId);
            }
        });
    }

    public void heartbeat() {
        runs.heartbeat(owner, List.copyOf(executing));
    }

    /** Picks up orphaned runs: stale running ones (owner crashed) and queued ones nobody started. */
    public void sweep() {
        Instant now = Instant.now();
        for (SyncRunRepository.RunRef ref : runs.orphans(now.minus(properties.getStaleAfter()),
                now.minus(properties.getQueuedGrace()), properties.getWorkers() * 4)) {
            if (!pending.contains(ref.runId())) {
                LOG.info("Picking up sync run {}", ref.runId());
                submit(ref.tenantId(), ref.runId());
            }
        }
    }

    public boolean isExecuting(UUID runId) {
        return executing.contains(runId);
    }

    @Override
    public void destroy() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
