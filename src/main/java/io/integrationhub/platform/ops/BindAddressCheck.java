package io.integrationhub.platform.ops;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Refuses to start a hub that other machines can reach while Hawtio and Jolokia have no login.
 *
 * <p>The zero-setup default profile binds to loopback ({@code server.address: 127.0.0.1}) and runs the ops
 * console without a login. Opening it to the network is one explicit setting, {@code server.address}
 * (env {@code SERVER_ADDRESS}, e.g. {@code 0.0.0.0}) — and then the console login is required:
 * {@code hub.ops.admin-login-enabled=true} with {@code hub.ops.admin-password}. No address (every interface,
 * Spring's default) counts as not loopback. The same holds for a separate management port.
 */
@Component
public class BindAddressCheck implements InitializingBean {

    private final Environment env;
    private final OpsProperties ops;

    public BindAddressCheck(Environment env, OpsProperties ops) {
        this.env = env;
        this.ops = ops;
    }

    @Override
    public void afterPropertiesSet() {
        if (ops.isAdminLoginEnabled()) {
            return;
        }
        check("server.address", env.getProperty("server.address"));
        String managementPort = env.getProperty("management.server.port");
        if (managementPort != null && !managementPort.isBlank()) {
            check("management.server.address", env.getProperty("management.server.address"));
        }
    }

    private static void check(String property, String address) {
        if (!isLoopback(address)) {
            throw new IllegalStateException("integration-hub cannot start: " + property + " is "
                    + (address == null || address.isBlank() ? "unset (every network interface)" : "'" + address + "'")
                    + " but Hawtio and Jolokia have no login (hub.ops.admin-login-enabled=false). Either bind to "
                    + "loopback (" + property + "=127.0.0.1) or turn the ops login on: HUB_OPS_ADMIN_LOGIN_ENABLED=true "
                    + "and HUB_OPS_ADMIN_PASSWORD (at least 12 characters). See docs/security.md.");
        }
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(address.trim())) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
