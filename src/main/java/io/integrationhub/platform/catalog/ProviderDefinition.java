package io.integrationhub.platform.catalog;

import java.util.List;

/**
 * A catalog entry: what the provider offers and how it authenticates. Endpoint URLs and client
 * credentials are configuration ({@code hub.providers.<settingsKey>.*}), not part of the definition.
 *
 * @param settingsKey   which {@code hub.providers.*} block holds its settings (the Microsoft entries share one)
 * @param scopeSeparator how the provider wants scopes joined in the authorize URL
 */
public record ProviderDefinition(
        String key,
        String name,
        String category,
        AuthType authType,
        String settingsKey,
        List<String> defaultScopes,
        String scopeSeparator,
        List<String> entities,
        List<String> actions,
        boolean webhooks) {

    public enum AuthType {
        oauth2, api_key
    }
}
