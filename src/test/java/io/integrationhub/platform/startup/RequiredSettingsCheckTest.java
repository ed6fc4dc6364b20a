package io.integrationhub.platform.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.ops.OpsProperties;
import io.integrationhub.platform.vault.CryptoProperties;

class RequiredSettingsCheckTest {

    private final OpsProperties ops = new OpsProperties();

    private static HubProperties hub(boolean demo) {
        HubProperties p = new HubProperties();
        p.setAdminToken("an-admin-token-long-enough-0123");
        p.getDemo().setEnabled(demo);
        return p;
    }

    private static CryptoProperties key() {
        CryptoProperties crypto = new CryptoProperties();
        crypto.setKeyRing("k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        return crypto;
    }

    @Test
    void shouldRefuseToStartWithTheConsoleLoginButNoAdminPassword() {
        ops.setAdminLoginEnabled(true);
        assertThatThrownBy(() -> new RequiredSettingsCheck(hub(false), ops, key()).afterPropertiesSet())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HUB_OPS_ADMIN_PASSWORD");
    }

    @Test
    void shouldRefuseAShortAdminPassword() {
        ops.setAdminLoginEnabled(true);
        ops.setAdminPassword("short");
        assertThatThrownBy(() -> new RequiredSettingsCheck(hub(false), ops, key()).afterPropertiesSet())
                .hasMessageContaining("at least 12 characters");
    }

    @Test
    void shouldNotAskForTheAdminPasswordWhereTheConsoleIsOpen() {
        ops.setAdminLoginEnabled(false);
        assertThatCode(() -> new RequiredSettingsCheck(hub(false), ops, key()).afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void shouldNeverShowTheAdminPasswordInToString() {
        ops.setAdminPassword("correct-horse-battery-staple");
        assertThat(ops.toString()).doesNotContain("correct-horse");
    }

    @Test
    void shouldRefuseToStartWithoutAVaultKeyOutsideTheZeroSetupProfile() {
        assertThatThrownBy(() -> new RequiredSettingsCheck(hub(false), ops, new CryptoProperties()).afterPropertiesSet())
                .hasMessageContaining("hub.crypto.key-ring").hasMessageContaining("HUB_CRYPTO_KEY_RING");
    }

    @Test
    void shouldListEveryMissingSettingAtOnce() {
        ops.setAdminLoginEnabled(true);
        HubProperties noToken = hub(false);
        noToken.setAdminToken(null);
        assertThatThrownBy(() -> new RequiredSettingsCheck(noToken, ops, new CryptoProperties()).afterPropertiesSet())
                .hasMessageContaining("HUB_ADMIN_TOKEN").hasMessageContaining("HUB_OPS_ADMIN_PASSWORD")
                .hasMessageContaining("HUB_CRYPTO_KEY_RING");
    }

    @Test
    void shouldStartWithoutAConfiguredKeyInTheZeroSetupProfile() {
        ops.setAdminLoginEnabled(false);
        assertThatCode(() -> new RequiredSettingsCheck(hub(true), ops, new CryptoProperties()).afterPropertiesSet())
                .doesNotThrowAnyException();
    }
}
