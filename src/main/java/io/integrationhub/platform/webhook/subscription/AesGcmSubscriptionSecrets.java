package io.integrationhub.platform.webhook.subscription;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AES-GCM with a random 12-byte nonce and the tenant id as associated data. The key is
 * {@code hub.webhooks.secret-key} (base64), or else one generated once into
 * {@code <data-dir>/webhook-secrets.key} (owner-only) so a single node keeps working across restarts.
 */
public class AesGcmSubscriptionSecrets implements SubscriptionSecrets {

    private static final Logger LOG = LoggerFactory.getLogger(AesGcmSubscriptionSecrets.class);
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public AesGcmSubscriptionSecrets(String base64Key, Path dataDir) {
        byte[] raw = base64Key != null && !base64Key.isBlank() ? Base64.getDecoder().decode(base64Key.trim())
                : localKey(dataDir);
        if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
            throw new IllegalStateException("hub.webhooks.secret-key must be a base64 AES key of 16, 24 or 32 bytes");
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    @Override
    public byte[] seal(UUID tenantId, String secret) {
        try {
            byte[] nonce = new byte[NONCE];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(tenantId));
            byte[] ct = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt subscription secret", e);
        }
    }

    @Override
    public String open(UUID tenantId, byte[] sealed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
            cipher.updateAAD(aad(tenantId));
            return new String(cipher.doFinal(sealed, NONCE, sealed.length - NONCE), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt subscription secret", e);
        }
    }

    private static byte[] aad(UUID tenantId) {
        return tenantId.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] localKey(Path dataDir) {
        Path file = dataDir.resolve("webhook-secrets.key");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            Files.createDirectories(dataDir);
            Files.writeString(file, Base64.getEncoder().encodeToString(raw));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not POSIX: the data folder's permissions apply
            }
            LOG.warn("hub.webhooks.secret-key is not set: generated a local key in {} (single node only)", file);
            return raw;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create " + file, e);
        }
    }
}
