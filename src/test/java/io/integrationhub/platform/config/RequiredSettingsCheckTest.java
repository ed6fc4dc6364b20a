package io.integrationhub.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.integrationhub.platform.ops.OpsProperties;

class RequiredSettingsCheckTest {

    private final HubProperties hub = new HubProperties();
    private final OpsProperties ops = new OpsProperties();

    RequiredSettingsCheckTest() {
        hub.setAdminToken("an-admin-token-of-24-chars-or-more");
    }

    @Test
    void shouldRefuseToStartWithTheConsoleLoginButNoAdminPassword() {
        ops.setAdminLoginEnabled(true);
        assertThatThrownBy(() -> new RequiredSettingsCheck(hub, ops).afterPropertiesSet())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HUB_OPS_ADMIN_PASSWORD");
    }

    @Test
    void shouldRefuseAShortAdminPassword() {
        ops.setAdminLoginEnabled(true);
        ops.setAdminPassword("short");
        assertThatThrownBy(() -> new RequiredSettingsCheck(hub, ops).afterPropertiesSet())
                .hasMessageContaining("at least 12 characters");
    }

    @Test
    void shouldNotAskForTheAdminPasswordWhereTheConsoleIsOpen() {
        ops.setAdminLoginEnabled(false);
        assertThatCode(() -> new RequiredSettingsCheck(hub, ops).afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void shouldNeverShowTheAdminPasswordInToString() {
        ops.setAdminPassword("correct-horse-battery-staple");
        assertThat(ops.toString()).doesNotContain("correct-horse");
    }
}
