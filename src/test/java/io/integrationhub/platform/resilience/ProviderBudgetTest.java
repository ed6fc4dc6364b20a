package io.integrationhub.platform.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The budget hands requests out round-robin between waiting tenants, not first come first served, and a connection
 * out of its own budget does not hold up the others.
 */
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

    @Test
    void shouldLetOtherConnectionsPassWhileOneWaitsForItsOwnBudget() throws Exception {
        ResilienceProperties properties = new ResilienceProperties();
        properties.setDefaultBudget(100);
        properties.getConnectionBudgets().put("xero", new ResilienceProperties.Rate(1, java.time.Duration.ofHours(1)));
        ProviderBudget budget = new ProviderBudget(properties);
        UUID tenantA = UUID.randomUUID();
        UUID connectionA = UUID.randomUUID();
        budget.acquire("xero", tenantA, connectionA); // connection A's one request this hour

        Thread blocked = new Thread(() -> {
            try {
                budget.acquire("xero", tenantA, connectionA);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        blocked.start();
        awaitWaiting(blocked);
        // another organisation's calls go on, first in line or not
        Thread other = new Thread(() -> {
            try {
                for (int i = 0; i < 3; i++) {
                    budget.acquire("xero", UUID.randomUUID(), UUID.randomUUID());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        other.join(20_000);

        assertThat(other.isAlive()).isFalse();
        assertThat(blocked.isAlive()).isTrue();
        blocked.interrupt();
        blocked.join(20_000);
        assertThat(blocked.isAlive()).isFalse();
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
