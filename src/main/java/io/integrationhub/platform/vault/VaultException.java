package io.integrationhub.platform.vault;

/** A ciphertext that cannot be opened (unknown key, tampered, moved to another row). Never carries plaintext. */
public class VaultException extends RuntimeException {
    public VaultException(String message) {
        super(message);
    }
}
