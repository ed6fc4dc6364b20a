package io.integrationhub.platform.startup;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.ops.OpsProperties;
import io.integrationhub.platform.vault.CryptoProperties;

/**
 * Fails start-up with one clear message listing every required secret that is missing, instead of
 * starting a hub that rejects every call later. The zero-setup profile generates its own.
 */
@Component
public class RequiredSettingsCheck implements InitializingBean {

    private final HubProperties properties;
    private final OpsProperties ops;
    private final CryptoProperties crypto;

    public RequiredSettingsCheck(HubProperties properties, OpsProperties ops, CryptoProperties crypto) {
        this.properties = properties;
        this.ops = ops;
        this.crypto = crypto;
    }

    @Override
    public void afterPropertiesSet() {
        List<String> missing = new ArrayList<>();
        if (blank(properties.getAdminToken())) {
            missing.add("hub.admin-token (env HUB_ADMIN_TOKEN): the platform admin's bearer token");
        } else if (properties.getAdminToken().length() < 24) {
            missing.add("hub.admin-token (env HUB_ADMIN_TOKEN): must be at least 24 characters");
        }
        // Only where the console login is on (prod); the local default profile and the tests run without it.
        if (ops.isAdminLoginEnabled()) {
            if (blank(ops.getAdminUser())) {
                missing.add("hub.ops.admin-user (env HUB_OPS_ADMIN_USER): the Hawtio/Jolokia admin's user name");
            }
            if (blank(ops.getAdminPassword())) {
                missing.add("hub.ops.admin-password (env HUB_OPS_ADMIN_PASSWORD): the Hawtio/Jolokia admin's password");
            } else if (ops.getAdminPassword().length() < 12) {
                missing.add("hub.ops.admin-password (env HUB_OPS_ADMIN_PASSWORD): must be at least 12 characters");
            }
        }
        if (!crypto.hasAnyKey() && !properties.getDemo().isEnabled()) {
            missing.add("hub.crypto.key-ring (env HUB_CRYPTO_KEY_RING, e.g. k1:<openssl rand -base64 32>) or "
                    + "hub.crypto.keys[0].id/secret: the vault key that encrypts provider tokens");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("integration-hub cannot start; required settings are missing or invalid:\n  - "
                    + String.join("\n  - ", missing));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
