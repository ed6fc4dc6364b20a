package io.integrationhub.platform.sync;

import java.util.Optional;
import java.util.stream.Stream;

/**
 * Sources and targets that are not beans but a provider family's routes (families described as data,
 * {@code routes/<family>/catalog.json}). Implemented by the family kit; beans of {@link SyncSource} and
 * {@link PushTarget} take precedence, so a test double or a Java family still wins.
 */
public interface FamilyRoutesSpi {

    Optional<SyncSource> source(String provider, String entity);

    Optional<PushTarget> target(String provider, String action);

    /** Every action route of a provider, as targets (push runs find the writer and remover of a model here). */
    Stream<PushTarget> targets(String provider);
}
