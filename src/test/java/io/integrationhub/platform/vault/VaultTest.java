package io.integrationhub.platform.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.integrationhub.platform.config.HubProperties;

class VaultTest {

    private static final String K1 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    private static final String K2 = "dGVzdC1vbmx5LXZhdWx0LWtleS0wMTIzNDU2Nzg5YWI=";

    private static Vault vault(String ring, String active) {
        CryptoProperties p = new CryptoProperties();
        p.setKeyRing(ring);
        p.setActiveKey(active);
        return new Vault(new KeyRing(p, new HubProperties()));
    }

    @Test
    void shouldSealWithARandomNonceAndTheKeyIdInFront() {
        Vault vault = vault("k1:" + K1, null);
        UUID id = UUID.randomUUID();
        byte[] a = vault.seal(id, "access_token", "secret-token");
        byte[] b = vault.seal(id, "access_token", "secret-token");

        assertThat(a).isNotEqualTo(b);
        assertThat(Vault.keyIdOf(a)).isEqualTo("k1");
        assertThat(new String(a, StandardCharsets.ISO_8859_1)).doesNotContain("secret-token");
        assertThat(a.length).isEqualTo(2 + 2 + 12 + "secret-token".length() + 16);
        assertThat(vault.open(id, "access_token", a)).isEqualTo("secret-token");
    }

    @Test
    void shouldRefuseACiphertextMovedToAnotherRowOrColumnOrTampered() {
        Vault vault = vault("k1:" + K1, null);
        UUID id = UUID.randomUUID();
        byte[] sealed = vault.seal(id, "refresh_token", "rt");

        assertThatThrownBy(() -> vault.open(UUID.randomUUID(), "refresh_token", sealed)).isInstanceOf(VaultException.class);
        assertThatThrownBy(() -> vault.open(id, "access_token", sealed)).isInstanceOf(VaultException.class);
        sealed[sealed.length - 1] ^= 1;
        assertThatThrownBy(() -> vault.open(id, "refresh_token", sealed)).isInstanceOf(VaultException.class)
                .hasMessageNotContaining("rt\"");
    }

    @Test
    void shouldOpenOldKeysAndWriteWithTheActiveOne() {
        UUID id = UUID.randomUUID();
        byte[] old = vault("k1:" + K1, null).seal(id, "api_key", "key");
        Vault rotated = vault("k1:" + K1 + ",k2:" + K2, "k2");

        assertThat(rotated.open(id, "api_key", old)).isEqualTo("key");
        assertThat(Vault.keyIdOf(rotated.seal(id, "api_key", "key"))).isEqualTo("k2");
        assertThatThrownBy(() -> vault("k2:" + K2, null).open(id, "api_key", old))
                .isInstanceOf(VaultException.class).hasMessageContaining("'k1'");
    }

    @Test
    void shouldRejectBadKeyConfigurationClearly() {
        assertThatThrownBy(() -> vault("k1:c2hvcnQ=", null)).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> vault("k1:" + K1, "k9")).hasMessageContaining("not one of the configured keys");
        assertThatThrownBy(() -> vault("nocolon", null)).hasMessageContaining("<id>:<base64 key>");
        CryptoProperties none = new CryptoProperties();
        assertThatThrownBy(() -> new KeyRing(none, new HubProperties())).hasMessageContaining("no vault key");
    }

    @Test
    void shouldListKeysFromBothForms() {
        CryptoProperties p = new CryptoProperties();
        CryptoProperties.Key key = new CryptoProperties.Key();
        key.setId("a");
        key.setSecret(K1);
        p.getKeys().add(key);
        p.setKeyRing("b:" + K2);
        KeyRing ring = new KeyRing(p, new HubProperties());
        assertThat(ring.all()).containsOnlyKeys("a", "b");
        assertThat(ring.activeKeyId()).isEqualTo("b");
        assertThat(p.toString()).doesNotContain(K1, K2);
    }
}
