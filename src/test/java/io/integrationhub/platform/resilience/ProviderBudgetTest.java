package io.integrationhub.platform.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The budget hands requests out round-robin between waiting tenants, not first come first served. */
class ProviderBudgetTest {

    @Test
    void shouldServeALateTenantBeforeTheBacklogOfABusyOne() throws Exception {
        ResilienceProperties properties = new ResilienceProperties();
        properties.setDefaultBudget(2);
        ProviderBudget budget = new ProviderBudget(properties);
        UUID busy = UUID.randomUUID();
        UUID late = UUID.randomUUID();
        budget.acquire("xero", busy);
        budget.acquire("xero", busy); // the bucket is empty now

        List<UUID> order = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(waiter(budget, busy, order));
        }
        for (Thread t : threads) {
            awaitWaiting(t);
        }
        Thread lateThread = waiter(budget, late, order);
        for (Thread t : threads) {
            t.join(20_000);
        }
        lateThread.join(20_000);

        assertThat(order).hasSize(5);
        assertThat(order.indexOf(late)).isLessThanOrEqualTo(1);
    }

    private static Thread waiter(ProviderBudget budget, UUID tenant, List<UUID> order) {
        Thread t = new Thread(() -> {
            try {
                budget.acquire("xero", tenant);
                order.add(tenant);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        return t;
    }

    /** Until the thread waits inside the budget (its request is in line). */
    private static void awaitWaiting(Thread t) {
        while (t.isAlive() && t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
    }
}
