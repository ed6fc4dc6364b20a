package io.integrationhub.platform.webhook.subscription;

import java.util.UUID;

/**
 * Keeps the per-subscription secrets (Graph clientState, Google channel token) encrypted at rest.
 * Implemented over the platform vault (see {@code SubscriptionWiring}).
 */
public interface SubscriptionSecrets {

    /** Ciphertext of {@code secret}, bound to the tenant. */
    byte[] seal(UUID tenantId, String secret);

    /** The secret sealed for this tenant; fails for ciphertext of another tenant or another key. */
    String open(UUID tenantId, byte[] sealed);
}
