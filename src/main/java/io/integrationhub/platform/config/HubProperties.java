package io.integrationhub.platform.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotBlank;

/**
 * Platform settings under {@code hub.*}. Secrets have no defaults: they come from the environment
 * (or, in the zero-setup default profile only, are generated locally under {@code ./data/}).
 */
@Validated
@ConfigurationProperties("hub")
public class HubProperties {

    /** External base URL of the hub, used for OAuth redirect URIs and webhook notification URLs. */
    @NotBlank
    private String publicUrl = "http://localhost:8080";

    /** Bearer token of the platform admin (tenant creation, key rotation). */
    private String adminToken;

    /** Folder for local state of the zero-setup profile (H2 files, Kafka logs, generated secrets). */
    private String dataDir = "./data";

    private final Demo demo = new Demo();

    /** Provider settings by catalog key; the three Microsoft entries share {@code microsoft}. */
    private final Map<String, ProviderSettings> providers = new LinkedHashMap<>();

    public String getPublicUrl() { return publicUrl; }
    public void setPublicUrl(String publicUrl) { this.publicUrl = publicUrl; }
    public String getAdminToken() { return adminToken; }
    public void setAdminToken(String adminToken) { this.adminToken = adminToken; }
    public String getDataDir() { return dataDir; }
    public void setDataDir(String dataDir) { this.dataDir = dataDir; }
    public Demo getDemo() { return demo; }
    public Map<String, ProviderSettings> getProviders() { return providers; }

    public static class Demo {
        /** Seed the {@code demo} tenant at start-up (default profile only). */
        private boolean enabled;
        /** The demo tenant's API key; generated and kept under the data dir when empty. */
        private String apiKey;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getApiKey() { return apiKey; }
        public void setApiKey(String apiKey) { this.apiKey = apiKey; }
    }

    public static class ProviderSettings {
        private String clientId;
        private String clientSecret;
        private String authorizeUrl;
        private String tokenUrl;
        private String revokeUrl;
        private String apiUrl;
        private String webhookSecret;
        private List<String> scopes;
        /** A family with a base URL per connection (catalog connectionUrl): the connection's, set per use. */
        private String connectionUrl;

        /** A copy of this block (the list of scopes is shared: nobody changes it). */
        public ProviderSettings copy() {
            ProviderSettings c = new ProviderSettings();
            c.clientId = clientId;
            c.clientSecret = clientSecret;
            c.authorizeUrl = authorizeUrl;
            c.tokenUrl = tokenUrl;
            c.revokeUrl = revokeUrl;
            c.apiUrl = apiUrl;
            c.webhookSecret = webhookSecret;
            c.scopes = scopes;
            c.connectionUrl = connectionUrl;
            return c;
        }

        public String getClientId() { return clientId; }
        public void setClientId(String clientId) { this.clientId = clientId; }
        public String getClientSecret() { return clientSecret; }
        public void setClientSecret(String clientSecret) { this.clientSecret = clientSecret; }
        public String getAuthorizeUrl() { return authorizeUrl; }
        public void setAuthorizeUrl(String authorizeUrl) { this.authorizeUrl = authorizeUrl; }
        public String getTokenUrl() { return tokenUrl; }
        public void setTokenUrl(String tokenUrl) { this.tokenUrl = tokenUrl; }
        public String getRevokeUrl() { return revokeUrl; }
        public void setRevokeUrl(String revokeUrl) { this.revokeUrl = revokeUrl; }
        public String getApiUrl() { return apiUrl; }
        public void setApiUrl(String apiUrl) { this.apiUrl = apiUrl; }
        public String getWebhookSecret() { return webhookSecret; }
        public void setWebhookSecret(String webhookSecret) { this.webhookSecret = webhookSecret; }
        public String getConnectionUrl() { return connectionUrl; }
        public void setConnectionUrl(String connectionUrl) { this.connectionUrl = connectionUrl; }
        public List<String> getScopes() { return scopes; }
        public void setScopes(List<String> scopes) { this.scopes = scopes; }

        /** toString never shows secrets: settings objects end up in logs and actuator output. */
        @Override
        public String toString() {
            return "ProviderSettings{clientId=" + (clientId == null ? "unset" : "set")
                    + ", authorizeUrl=" + authorizeUrl + ", tokenUrl=" + tokenUrl + ", apiUrl=" + apiUrl + "}";
        }
    }
}
