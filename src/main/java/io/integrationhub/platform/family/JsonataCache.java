package io.integrationhub.platform.family;

import java.util.LinkedHashMap;
import java.util.Map;

import com.dashjoin.jsonata.Jsonata;

/**
 * JSONata texts parsed once per thread, up to {@code max} texts per thread (least recently used go first).
 *
 * <p>Per thread, because a parsed {@link Jsonata} of jsonata-java keeps the state of the evaluation in progress on
 * the instance (its input and frame, restored only when the evaluation ends): shared by two threads, one thread's
 * new frame could start from the other's evaluation in progress. One instance evaluated by one thread after another
 * is what jsonata-java supports (0.9.10 and later restore the state after each evaluation). Threads are the hub's
 * pools (route consumers, sync workers), so there are few copies.
 */
public final class JsonataCache {

    private final ThreadLocal<Map<String, Jsonata>> parsed;

    public JsonataCache(int max) {
        this.parsed = ThreadLocal.withInitial(() -> new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Jsonata> eldest) {
                return size() > max;
            }
        });
    }

    /** This thread's parse of {@code text}; JSONata's {@code JException} when it does not parse. */
    public Jsonata get(String text) {
        Map<String, Jsonata> mine = parsed.get();
        Jsonata expression = mine.get(text);
        if (expression == null) {
            expression = Jsonata.jsonata(text);
            mine.put(text, expression);
        }
        return expression;
    }
}
