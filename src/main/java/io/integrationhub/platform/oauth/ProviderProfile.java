package io.integrationhub.platform.oauth;

import java.util.Map;

import io.integrationhub.platform.config.HubProperties.ProviderSettings;
import io.integrationhub.platform.connections.Connection.Account;
import io.integrationhub.platform.vault.Credentials;

/**
 * How one provider does OAuth beyond RFC 6749 defaults: client authentication at the token endpoint,
 * PKCE, extra authorize parameters, the light identity call and revocation. One row per catalog key
 * in {@link ProviderProfiles}.
 *
 * @param clientAuth    how the client proves itself at the token endpoint
 * @param pkce          send an S256 {@code code_challenge}
 * @param requiredScopes scopes added when an operator's scope list leaves them out (refresh tokens depend on them)
 * @param tokenHeaders  extra headers of token and revocation requests (Square's {@code Square-Version}, from config)
 */
public record ProviderProfile(
        String key,
        ClientAuth clientAuth,
        boolean pkce,
        Map<String, String> authorizeExtras,
        java.util.List<String> requiredScopes,
        Identity identity,
        Revocation revocation,
        Map<String, String> tokenHeaders) {

    public ProviderProfile(String key, ClientAuth clientAuth, boolean pkce, Map<String, String> authorizeExtras,
            java.util.List<String> requiredScopes, Identity identity, Revocation revocation) {
        this(key, clientAuth, pkce, authorizeExtras, requiredScopes, identity, revocation, Map.of());
    }

    public enum ClientAuth {
        /** client_id and client_secret as form fields (RFC 6749 §2.3.1 alternative). */
        FORM,
        /** HTTP Basic with client_id:client_secret, form body (Xero). */
        BASIC,
        /** JSON body carrying client_id and client_secret (Square). */
        JSON,
        /** HTTP Basic with client_id:client_secret and a JSON body (Notion). */
        BASIC_JSON
    }

    /** The light "who is this" call; throws {@link IdentityException} with the provider's answer. */
    @FunctionalInterface
    public interface Identity {
        Account fetch(OAuthHttp http, ProviderSettings settings, String bearer);
    }

    /** Revokes the grant at the provider; returns null when done, else what went wrong. */
    @FunctionalInterface
    public interface Revocation {
        String revoke(OAuthHttp http, ProviderSettings settings, Credentials credentials);
    }
}
