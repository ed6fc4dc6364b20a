package io.integrationhub.platform.catalog;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Values derived per provider key from the family catalog (and the settings its files feed), computed once per version
 * of the catalog: a catalog file may change at run time, and deriving on every use (binding settings, reading the
 * environment) showed in the profiles of every webhook and provider call.
 */
public final class PerCatalogVersion<V> {

    private final FamilyCatalog catalog;
    private final Function<String, V> derive;
    private volatile Derived<V> derived = new Derived<>(null, new ConcurrentHashMap<>());

    private record Derived<V>(Object version, Map<String, V> byKey) {
    }

    public PerCatalogVersion(FamilyCatalog catalog, Function<String, V> derive) {
        this.catalog = catalog;
        this.derive = derive;
    }

    public V get(String key) {
        Object version = catalog.version();
        Derived<V> known = derived;
        if (known.version() != version) {
            known = new Derived<>(version, new ConcurrentHashMap<>());
            derived = known;
        }
        return known.byKey().computeIfAbsent(key, derive);
    }
}
