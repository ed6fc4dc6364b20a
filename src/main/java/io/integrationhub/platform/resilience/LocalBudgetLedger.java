package io.integrationhub.platform.resilience;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Budgets counted in this JVM only ({@code hub.resilience.budget-scope: instance}, one-instance installs). */
public class LocalBudgetLedger implements BudgetLedger {

    private final Map<String, Long> next = new HashMap<>();

    @Override
    public synchronized Verdict take(List<Key> keys) {
        long now = System.nanoTime() / 1000;
        for (Key key : keys) {
            long at = next.getOrDefault(key.name(), Long.MIN_VALUE);
            if (at > now) {
                return new Verdict(false, key.name(), at - now);
            }
        }
        for (Key key : keys) {
            next.put(key.name(), now + key.intervalMicros());
        }
        return Verdict.GRANTED;
    }
}
