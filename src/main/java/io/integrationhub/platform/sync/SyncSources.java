package io.integrationhub.platform.sync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The registered {@link SyncSource}s by provider and entity. When two claim the same pair, the one
 * first in {@code @Order} wins (a test double can take over a provider family's source).
 */
@Component
public class SyncSources {

    private final Map<String, SyncSource> byKey = new HashMap<>();
    private final ObjectProvider<FamilyRoutesSpi> families;

    public SyncSources(ObjectProvider<SyncSource> sources, ObjectProvider<FamilyRoutesSpi> families) {
        this.families = families;
        List<SyncSource> ordered = sources.orderedStream().toList();
        for (SyncSource source : ordered) {
            byKey.putIfAbsent(key(source.provider(), source.entity()), source);
        }
    }

    public Optional<SyncSource> find(String provider, String entity) {
        SyncSource bean = byKey.get(key(provider, entity));
        if (bean != null) {
            return Optional.of(bean);
        }
        FamilyRoutesSpi routes = families.getIfAvailable();
        return routes == null ? Optional.empty() : routes.source(provider, entity);
    }

    /** The {@link SyncSource} bean for the pair, if a family registered one in Java (else the family's routes answer). */
    public Optional<SyncSource> bean(String provider, String entity) {
        return Optional.ofNullable(byKey.get(key(provider, entity)));
    }

    private static String key(String provider, String entity) {
        return provider + "/" + entity;
    }
}
