package io.integrationhub.platform.vault;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.local.LocalSecrets;

/**
 * The AES-256 keys the vault knows, by id, and the one new writes use. Old keys stay listed until
 * {@code POST /api/v1/admin/vault/re-encrypt} has moved every row to the active key.
 */
@Component
@DependsOn("requiredSettingsCheck")
public class KeyRing {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final String LOCAL_KEY_ID = "local-1";

    private final Map<String, SecretKey> keys = new LinkedHashMap<>();
    private final String activeKeyId;

    /** The settings check runs first, so a production hub without keys fails with the full list of what is missing. */
    public KeyRing(CryptoProperties crypto, HubProperties hub) {
        for (CryptoProperties.Key key : crypto.getKeys()) {
            add(key.getId(), key.getSecret());
        }
        if (crypto.getKeyRing() != null && !crypto.getKeyRing().isBlank()) {
            for (String entry : crypto.getKeyRing().split(",")) {
                int colon = entry.indexOf(':');
                if (colon < 1) {
                    throw new IllegalStateException("hub.crypto.key-ring entries must be <id>:<base64 key>");
                }
                add(entry.substring(0, colon).trim(), entry.substring(colon + 1).trim());
            }
        }
        if (keys.isEmpty()) {
            if (!hub.getDemo().isEnabled()) {
                throw new IllegalStateException("integration-hub cannot start: no vault key (set hub.crypto.key-ring "
                        + "or hub.crypto.keys[n].id/secret)");
            }
            LocalSecrets local = new LocalSecrets(Path.of(hub.getDataDir()));
            add(LOCAL_KEY_ID, local.getOrCreate("vault-key", KeyRing::generateKey));
            LOG.warn("No hub.crypto keys configured: the zero-setup profile generated a local vault key under {}. "
                    + "Fine on a laptop; never in production.", hub.getDataDir());
        }
        String active = crypto.getActiveKey();
        if (active == null || active.isBlank()) {
            active = keys.keySet().stream().reduce((a, b) -> b).orElseThrow();
        }
        if (!keys.containsKey(active)) {
            throw new IllegalStateException("hub.crypto.active-key '" + active + "' is not one of the configured keys "
                    + keys.keySet());
        }
        this.activeKeyId = active;
    }

    private void add(String id, String base64) {
        if (id == null || !KEY_ID.matcher(id).matches()) {
            throw new IllegalStateException("vault key ids must be 1-64 characters of [A-Za-z0-9._-]");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64 == null ? "" : base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("vault key '" + id + "' is not valid base64");
        }
        if (raw.length != 32) {
            throw new IllegalStateException("vault key '" + id + "' must be 32 bytes (AES-256), base64-encoded; got "
                    + raw.length + " bytes");
        }
        if (keys.putIfAbsent(id, new SecretKeySpec(raw, "AES")) != null) {
            throw new IllegalStateException("vault key '" + id + "' is configured twice");
        }
    }

    /** A new random AES-256 key, base64 (also what operators can use: {@code openssl rand -base64 32}). */
    public static String generateKey() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    public String activeKeyId() {
        return activeKeyId;
    }

    public SecretKey active() {
        return keys.get(activeKeyId);
    }

    public SecretKey get(String id) {
        SecretKey key = keys.get(id);
        if (key == null) {
            throw new VaultException("ciphertext was written with key '" + id + "', which is not configured");
        }
        return key;
    }

    public Map<String, SecretKey> all() {
        return Collections.unmodifiableMap(keys);
    }
}
