package io.integrationhub.platform.resilience;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Requests per second per provider on this instance, handed out round-robin between tenants that are
 * waiting: a tenant with many busy runs (a backfill) gets one request, then each other waiting tenant
 * gets one, so nobody's incremental sync queues behind someone else's backlog.
 */
@Component
public class ProviderBudget {

    private final ResilienceProperties properties;
    private final Map<String, FairBucket> buckets = new ConcurrentHashMap<>();

    public ProviderBudget(ResilienceProperties properties) {
        this.properties = properties;
    }

    public void acquire(String provider, UUID tenantId) throws InterruptedException {
        buckets.computeIfAbsent(provider, p -> new FairBucket(properties.budgetFor(p))).acquire(tenantId);
    }

    static final class FairBucket {
        private final double perSecond;
        private final double capacity;
        private double tokens;
        private long refilledAt = System.nanoTime();
        /** Waiting tenants in turn order; a tenant served moves to the back. */
        private final LinkedHashMap<UUID, ArrayDeque<Object>> waiting = new LinkedHashMap<>();

        FairBucket(double perSecond) {
            this.perSecond = perSecond;
            this.capacity = Math.max(1, perSecond);
            this.tokens = capacity;
        }

        synchronized void acquire(UUID tenant) throws InterruptedException {
            Object me = new Object();
            waiting.computeIfAbsent(tenant, t -> new ArrayDeque<>()).add(me);
            try {
                while (true) {
                    refill();
                    if (tokens >= 1 && isNext(tenant, me)) {
                        tokens -= 1;
                        ArrayDeque<Object> queue = waiting.remove(tenant);
                        queue.poll();
                        if (!queue.isEmpty()) {
                            waiting.put(tenant, queue);
                        }
                        notifyAll();
                        return;
                    }
                    long waitMs = tokens >= 1 ? 50 : (long) Math.ceil((1 - tokens) * 1000 / perSecond);
                    wait(Math.max(1, waitMs));
                }
            } catch (InterruptedException e) {
                ArrayDeque<Object> queue = waiting.get(tenant);
                if (queue != null) {
                    queue.remove(me);
                    if (queue.isEmpty()) {
                        waiting.remove(tenant);
                    }
                }
                notifyAll();
                throw e;
            }
        }

        private boolean isNext(UUID tenant, Object me) {
            Iterator<Map.Entry<UUID, ArrayDeque<Object>>> it = waiting.entrySet().iterator();
            if (!it.hasNext()) {
                return false;
            }
            Map.Entry<UUID, ArrayDeque<Object>> first = it.next();
            return first.getKey().equals(tenant) && first.getValue().peek() == me;
        }

        private void refill() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
        }
    }
}
