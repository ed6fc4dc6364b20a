package io.integrationhub.platform.vault;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Vault keys under {@code hub.crypto.*}. Keys are AES-256 keys, base64 of 32 random bytes, never in the repo.
 * Two equivalent forms, which may be combined:
 * <ul>
 * <li>{@code hub.crypto.keys[0].id=k2026} / {@code hub.crypto.keys[0].secret=<base64>} (env
 * {@code HUB_CRYPTO_KEYS_0_ID}, {@code HUB_CRYPTO_KEYS_0_SECRET});</li>
 * <li>{@code hub.crypto.key-ring=k2025:<base64>,k2026:<base64>} (env {@code HUB_CRYPTO_KEY_RING}).</li>
 * </ul>
 * {@code hub.crypto.active-key} names the key new writes use (default: the last key listed).
 */
@ConfigurationProperties("hub.crypto")
public class CryptoProperties {

    private List<Key> keys = new ArrayList<>();
    private String keyRing;
    private String activeKey;

    public List<Key> getKeys() { return keys; }
    public void setKeys(List<Key> keys) { this.keys = keys; }
    public String getKeyRing() { return keyRing; }
    public void setKeyRing(String keyRing) { this.keyRing = keyRing; }
    public String getActiveKey() { return activeKey; }
    public void setActiveKey(String activeKey) { this.activeKey = activeKey; }

    public boolean hasAnyKey() {
        return !keys.isEmpty() || (keyRing != null && !keyRing.isBlank());
    }

    public static class Key {
        private String id;
        private String secret;

        public String getId() { return id; }
        public void setId(String id) { this.id = id; }
        public String getSecret() { return secret; }
        public void setSecret(String secret) { this.secret = secret; }

        @Override
        public String toString() {
            return "Key{id=" + id + ", secret=" + (secret == null ? "unset" : "set") + "}";
        }
    }

    @Override
    public String toString() {
        return "CryptoProperties{keys=" + keys + ", keyRing=" + (keyRing == null ? "unset" : "set")
                + ", activeKey=" + activeKey + "}";
    }
}
