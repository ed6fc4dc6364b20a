package io.integrationhub.platform.vault;

/**
 * Values sealed by the {@link Vault} outside the credentials table (e.g. webhook endpoint signing secrets): the
 * key rotation ({@link VaultRotation}) moves them to the active key too.
 */
public interface ResealableSecrets {

    /** Re-seals every value sealed with another key than the active one; returns how many were moved. */
    int resealWithActiveKey();
}
