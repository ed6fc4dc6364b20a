package io.integrationhub.platform.resilience;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The request budgets every provider call takes a permit from: requests per second per provider
 * ({@code hub.resilience.default-budget}, {@code budgets.<provider>}) and, where set, requests per period per
 * connection ({@code connection-budgets.<provider>}, e.g. Xero's 60 a minute per organisation). With budget scope
 * {@code cluster} (the default) they are counted in PostgreSQL ({@link JdbcBudgetLedger}), so all instances together
 * stay within them; {@code instance} counts in this JVM ({@link LocalBudgetLedger}).
 * <p>
 * On each instance the callers waiting for a provider are served round-robin between tenants: a tenant with many busy
 * runs (a backfill) gets one request, then each other waiting tenant gets one, so nobody's incremental sync queues
 * behind someone else's backlog. One waiter per provider and instance asks the ledger at a time; a waiter whose
 * connection has no request left steps aside (the others go on) until its connection's next request is due.
 */
@Component
public class ProviderBudget {

    private final ResilienceProperties properties;
    private final BudgetLedger ledger;
    private final Map<String, FairQueue> queues = new ConcurrentHashMap<>();

    /** Counted in this JVM. */
    public ProviderBudget(ResilienceProperties properties) {
        this(properties, new LocalBudgetLedger());
    }

    public ProviderBudget(ResilienceProperties properties, BudgetLedger ledger) {
        this.properties = properties;
        this.ledger = ledger;
    }

    @Autowired
    public ProviderBudget(ResilienceProperties properties, NamedParameterJdbcTemplate jdbc,
            PlatformTransactionManager transactions) {
        this(properties, properties.getBudgetScope() == ResilienceProperties.BudgetScope.CLUSTER
                ? new JdbcBudgetLedger(jdbc, transactions) : new LocalBudgetLedger());
    }

    public void acquire(String provider, UUID tenantId) throws InterruptedException {
        acquire(provider, tenantId, null);
    }

    /** Waits for a permit of the provider's budget and, when it has one, the connection's. */
    public void acquire(String provider, UUID tenantId, UUID connectionId) throws InterruptedException {
        List<BudgetLedger.Key> keys = new ArrayList<>(2);
        keys.add(new BudgetLedger.Key("provider:" + provider, (long) Math.ceil(1_000_000 / properties.budgetFor(provider))));
        ResilienceProperties.Rate perConnection = properties.connectionBudgetFor(provider);
        if (perConnection != null && connectionId != null) {
            keys.add(new BudgetLedger.Key("connection:" + provider + ":" + connectionId,
                    (long) Math.ceil(perConnection.getPeriod().toNanos() / 1000.0 / perConnection.getLimit())));
        }
        queues.computeIfAbsent(provider, p -> new FairQueue(ledger)).acquire(tenantId, keys);
    }

    /** This instance's callers of one provider, in tenant round-robin order. */
    static final class FairQueue {
        private static final long MAX_NAP_MS = 50;

        private final BudgetLedger ledger;
        /** Waiting tenants in turn order; a tenant served moves to the back. */
        private final LinkedHashMap<UUID, ArrayDeque<Waiter>> waiting = new LinkedHashMap<>();
        /** A waiter is asking the ledger. */
        private boolean asking;
        /** The provider's budget grants nothing before this (System.nanoTime). */
        private long providerNotBefore = Long.MIN_VALUE;

        FairQueue(BudgetLedger ledger) {
            this.ledger = ledger;
        }

        private static final class Waiter {
            /** Its connection's budget grants nothing before this (System.nanoTime). */
            long notBefore = Long.MIN_VALUE;
        }

        void acquire(UUID tenant, List<BudgetLedger.Key> keys) throws InterruptedException {
            Waiter me = new Waiter();
            synchronized (this) {
                waiting.computeIfAbsent(tenant, t -> new ArrayDeque<>()).add(me);
            }
            boolean done = false;
            try {
                while (true) {
                    awaitTurn(me);
                    BudgetLedger.Verdict verdict = null;
                    try {
                        verdict = ledger.take(keys);
                    } finally {
                        synchronized (this) {
                            asking = false;
                            long now = System.nanoTime();
                            if (verdict != null && verdict.granted()) {
                                served(tenant, me);
                                done = true;
                            } else if (verdict != null && verdict.blockedBy().equals(keys.get(0).name())) {
                                providerNotBefore = now + verdict.waitMicros() * 1000;
                            } else if (verdict != null) {
                                me.notBefore = now + verdict.waitMicros() * 1000;
                            }
                            notifyAll();
                        }
                    }
                    if (done) {
                        return;
                    }
                }
            } finally {
                if (!done) {
                    synchronized (this) {
                        leave(tenant, me);
                        notifyAll();
                    }
                }
            }
        }

        /** Until nobody is asking the ledger, the provider may grant, and {@code me} is the first eligible waiter. */
        private synchronized void awaitTurn(Waiter me) throws InterruptedException {
            while (true) {
                long now = System.nanoTime();
                if (!asking && providerNotBefore <= now && firstEligible(now) == me) {
                    asking = true;
                    return;
                }
                long napNanos = Math.max(providerNotBefore - now, me.notBefore - now);
                long napMs = napNanos > 0 ? Math.min(MAX_NAP_MS, napNanos / 1_000_000 + 1) : MAX_NAP_MS;
                wait(napMs);
            }
        }

        /** In turn order, the first waiter whose connection may be granted now. */
        private Waiter firstEligible(long now) {
            for (ArrayDeque<Waiter> queue : waiting.values()) {
                for (Waiter w : queue) {
                    if (w.notBefore <= now) {
                        return w;
                    }
                }
            }
            return null;
        }

        private void served(UUID tenant, Waiter me) {
            ArrayDeque<Waiter> queue = waiting.remove(tenant);
            if (queue != null) {
                queue.remove(me);
                if (!queue.isEmpty()) {
                    waiting.put(tenant, queue);
                }
            }
        }

        private void leave(UUID tenant, Waiter me) {
            ArrayDeque<Waiter> queue = waiting.get(tenant);
            if (queue != null) {
                queue.remove(me);
                if (queue.isEmpty()) {
                    waiting.remove(tenant);
                }
            }
        }
    }
}
