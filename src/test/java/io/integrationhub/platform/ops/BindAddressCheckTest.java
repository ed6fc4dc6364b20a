package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** A hub reachable from the network never runs its ops console without a login. */
class BindAddressCheckTest {

    private static BindAddressCheck check(boolean login, String... properties) {
        MockEnvironment env = new MockEnvironment();
        for (int i = 0; i < properties.length; i += 2) {
            env.setProperty(properties[i], properties[i + 1]);
        }
        OpsProperties ops = new OpsProperties();
        ops.setAdminLoginEnabled(login);
        return new BindAddressCheck(env, ops);
    }

    @Test
    void shouldRefuseEveryInterfaceWithoutTheLogin() {
        assertThatThrownBy(() -> check(false, "server.address", "0.0.0.0").afterPropertiesSet())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server.address is '0.0.0.0'")
                .hasMessageContaining("HUB_OPS_ADMIN_LOGIN_ENABLED=true").hasMessageContaining("HUB_OPS_ADMIN_PASSWORD");
        assertThatThrownBy(() -> check(false).afterPropertiesSet())
                .hasMessageContaining("unset (every network interface)");
        assertThatThrownBy(() -> check(false, "server.address", "127.0.0.1", "management.server.port", "9090")
                .afterPropertiesSet()).hasMessageContaining("management.server.address");
    }

    @Test
    void shouldStartOnLoopbackWithoutTheLoginAndAnywhereWithIt() {
        assertThatCode(() -> check(false, "server.address", "127.0.0.1").afterPropertiesSet()).doesNotThrowAnyException();
        assertThatCode(() -> check(false, "server.address", "::1").afterPropertiesSet()).doesNotThrowAnyException();
        assertThatCode(() -> check(false, "server.address", "localhost").afterPropertiesSet()).doesNotThrowAnyException();
        assertThatCode(() -> check(true, "server.address", "0.0.0.0").afterPropertiesSet()).doesNotThrowAnyException();
        assertThatCode(() -> check(true).afterPropertiesSet()).doesNotThrowAnyException();
    }
}
