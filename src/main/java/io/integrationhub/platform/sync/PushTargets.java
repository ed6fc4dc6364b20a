package io.integrationhub.platform.sync;

import java.util.Optional;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** The registered {@link PushTarget}s by provider and model, for push runs; the first in {@code @Order} wins. */
@Component
public class PushTargets {

    private final ObjectProvider<PushTarget> targets;

    public PushTargets(ObjectProvider<PushTarget> targets) {
        this.targets = targets;
    }

    /** The writer ({@link PushTarget.Kind#UPSERT}) or remover ({@link PushTarget.Kind#DELETE}) of a provider's model. */
    public Optional<PushTarget> find(String provider, String model, PushTarget.Kind kind) {
        return targets.orderedStream().filter(t -> t.provider().equals(provider) && t.model().equals(model)
                && t.kind() == kind).findFirst();
    }

    /** The writer push runs of a provider's model use: an upsert target that may resend what it pushed. */
    public Optional<PushTarget> resyncWriter(String provider, String model) {
        return find(provider, model, PushTarget.Kind.UPSERT).filter(PushTarget::resyncable);
    }
}
