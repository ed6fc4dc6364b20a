package io.integrationhub.platform.resilience;

import java.util.List;

/**
 * Where request budgets are counted: per key (a provider, a connection) the earliest moment the next request may
 * go ({@code next}). A request takes every key it needs at once or none: granted when each key's {@code next} has
 * passed, which moves each to now + its interval, so requests of a key are at least one interval apart wherever they
 * were made (no burst: any window of {@code period} holds at most {@code limit} requests).
 */
public interface BudgetLedger {

    /** A budget: its key and the spacing of its requests, in microseconds. */
    record Key(String name, long intervalMicros) {
    }

    /** Granted, or the key that refused and how long until it may grant. */
    record Verdict(boolean granted, String blockedBy, long waitMicros) {
        static final Verdict GRANTED = new Verdict(true, null, 0);
    }

    /** Takes one request from every key, or none. */
    Verdict take(List<Key> keys);
}
