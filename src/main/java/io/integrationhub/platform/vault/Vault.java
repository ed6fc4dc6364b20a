package io.integrationhub.platform.vault;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

import org.springframework.stereotype.Component;

/**
 * AES-256-GCM with the JDK's provider. A sealed value is
 * {@code [1: format version][1: key-id length][key id][12: random nonce][ciphertext + 16-byte tag]}.
 * The associated data is {@code <connection id>/<field>}, so a ciphertext copied to another row or
 * another column fails to open instead of handing out someone else's token.
 */
@Component
public class Vault {

    private static final byte FORMAT = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final KeyRing keys;
    private final SecureRandom random = new SecureRandom();

    public Vault(KeyRing keys) {
        this.keys = keys;
    }

    public byte[] seal(UUID connectionId, String field, String plaintext) {
        if (plaintext == null) {
            return null;
        }
        String keyId = keys.activeKeyId();
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.active(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(connectionId, field));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(2 + id.length + NONCE_BYTES + sealed.length)
                    .put(FORMAT).put((byte) id.length).put(id).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new VaultException("encryption failed: " + e.getClass().getSimpleName());
        }
    }

    public String open(UUID connectionId, String field, byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(value);
            if (in.get() != FORMAT) {
                throw new VaultException("unknown ciphertext format");
            }
            byte[] id = new byte[in.get()];
            in.get(id);
            byte[] nonce = new byte[NONCE_BYTES];
            in.get(nonce);
            byte[] sealed = new byte[in.remaining()];
            in.get(sealed);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, keys.get(new String(id, StandardCharsets.US_ASCII)),
                    new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(connectionId, field));
            return new String(cipher.doFinal(sealed), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof VaultException v) {
                throw v;
            }
            throw new VaultException("ciphertext of " + field + " for connection " + connectionId
                    + " cannot be opened (wrong key, tampered or moved)");
        }
    }

    /** The id of the key a value was sealed with. */
    public static String keyIdOf(byte[] value) {
        if (value == null || value.length < 2) {
            return null;
        }
        return new String(value, 2, value[1], StandardCharsets.US_ASCII);
    }

    public String activeKeyId() {
        return keys.activeKeyId();
    }

    private static byte[] aad(UUID connectionId, String field) {
        return (connectionId + "/" + field).getBytes(StandardCharsets.UTF_8);
    }
}
