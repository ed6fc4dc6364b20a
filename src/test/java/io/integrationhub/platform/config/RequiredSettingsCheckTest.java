package io.integrationhub.platform.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.integrationhub.platform.vault.CryptoProperties;

class RequiredSettingsCheckTest {

    private static HubProperties hub(boolean demo) {
        HubProperties p = new HubProperties();
        p.setAdminToken("an-admin-token-long-enough-0123");
        p.getDemo().setEnabled(demo);
        return p;
    }

    @Test
    void shouldRefuseToStartWithoutAVaultKeyOutsideTheZeroSetupProfile() {
        assertThatThrownBy(() -> new RequiredSettingsCheck(hub(false), new CryptoProperties()).afterPropertiesSet())
                .hasMessageContaining("hub.crypto.key-ring").hasMessageContaining("HUB_CRYPTO_KEY_RING");
    }

    @Test
    void shouldStartWithAKeyOrInTheZeroSetupProfile() {
        CryptoProperties crypto = new CryptoProperties();
        crypto.setKeyRing("k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        assertThatCode(() -> new RequiredSettingsCheck(hub(false), crypto).afterPropertiesSet()).doesNotThrowAnyException();
        assertThatCode(() -> new RequiredSettingsCheck(hub(true), new CryptoProperties()).afterPropertiesSet())
                .doesNotThrowAnyException();
    }
}
