package io.integrationhub.platform.sync;

import java.util.Optional;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** The registered {@link PushTarget}s by provider and model, for push runs; the first in {@code @Order} wins. */
@Component
public class PushTargets {

    private final ObjectProvider<PushTarget> targets;
    private final ObjectProvider<FamilyRoutesSpi> families;

    public PushTargets(ObjectProvider<PushTarget> targets, ObjectProvider<FamilyRoutesSpi> families) {
        this.targets = targets;
        this.families = families;
    }

    /** The target of a provider's action: a bean, else a family's action route. */
    public Optional<PushTarget> forAction(String provider, String action) {
        Optional<PushTarget> bean = targets.orderedStream().filter(t -> t.provider().equals(provider)
                && t.action().equals(action)).findFirst();
        if (bean.isPresent()) {
            return bean;
        }
        FamilyRoutesSpi routes = families.getIfAvailable();
        return routes == null ? Optional.empty() : routes.target(provider, action);
    }

    /**
     * The writer ({@link PushTarget.Kind#UPSERT}) or remover ({@link PushTarget.Kind#DELETE}) of a provider's model: a
     * bean, else a family's action route.
     */
    public Optional<PushTarget> find(String provider, String model, PushTarget.Kind kind) {
        Optional<PushTarget> bean = targets.orderedStream().filter(t -> t.provider().equals(provider)
                && t.model().equals(model) && t.kind() == kind).findFirst();
        FamilyRoutesSpi routes = families.getIfAvailable();
        return bean.isPresent() || routes == null ? bean : routes.targets(provider)
                .filter(t -> t.model().equals(model) && t.kind() == kind).findFirst();
    }

    /** The writer push runs of a provider's model use: an upsert target that may resend what it pushed. */
    public Optional<PushTarget> resyncWriter(String provider, String model) {
        return find(provider, model, PushTarget.Kind.UPSERT).filter(PushTarget::resyncable);
    }
}
