package io.integrationhub.platform.ops;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code hub.ops.*}: the admin login in front of Hawtio and Jolokia. The password has no
 * default; {@link io.integrationhub.platform.startup.RequiredSettingsCheck} refuses to start without it
 * whenever the login is enabled (every profile except the local default and the tests).
 */
@ConfigurationProperties("hub.ops")
public class OpsProperties {

    /** Put Hawtio ({@code /actuator/hawtio/**}) and Jolokia ({@code /actuator/jolokia/**}) behind the admin login. */
    private boolean adminLoginEnabled = true;

    /** User name of the operations admin (env {@code HUB_OPS_ADMIN_USER}). */
    private String adminUser = "admin";

    /** Password of the operations admin (env {@code HUB_OPS_ADMIN_PASSWORD}); never defaulted. */
    private String adminPassword;

    /**
     * Camel's MBeans (route steps, routes, endpoints, ...) share one MBean info per class
     * ({@link SharedInfoMBeanAssembler}) instead of a copy each: ~75 MB less live heap with the hub's ~5,800 MBeans.
     * {@code false} gives Camel's own MBeans back.
     */
    private boolean sharedStepMbeanInfo = true;

    public boolean isSharedStepMbeanInfo() { return sharedStepMbeanInfo; }
    public void setSharedStepMbeanInfo(boolean sharedStepMbeanInfo) { this.sharedStepMbeanInfo = sharedStepMbeanInfo; }
    public boolean isAdminLoginEnabled() { return adminLoginEnabled; }
    public void setAdminLoginEnabled(boolean adminLoginEnabled) { this.adminLoginEnabled = adminLoginEnabled; }
    public String getAdminUser() { return adminUser; }
    public void setAdminUser(String adminUser) { this.adminUser = adminUser; }
    public String getAdminPassword() { return adminPassword; }
    public void setAdminPassword(String adminPassword) { this.adminPassword = adminPassword; }

    /** toString never shows the password: properties objects end up in logs and actuator output. */
    @Override
    public String toString() {
        return "OpsProperties{adminLoginEnabled=" + adminLoginEnabled + ", adminUser=" + adminUser
                + ", adminPassword=" + (adminPassword == null ? "unset" : "set") + "}";
    }
}
