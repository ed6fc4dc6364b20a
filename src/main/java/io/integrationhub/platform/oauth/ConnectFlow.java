package io.integrationhub.platform.oauth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.catalog.ProviderDefinition.AuthType;
import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.config.HubProperties.ProviderSettings;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionConfigValidator;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.oauth.AuthorizationStates.Issued;
import io.integrationhub.platform.oauth.AuthorizationStates.Pending;
import io.integrationhub.platform.oauth.OAuthHttp.Response;
import io.integrationhub.platform.oauth.TokenEndpoint.Tokens;
import io.integrationhub.platform.vault.CredentialStore;
import io.integrationhub.platform.vault.Credentials;
import io.integrationhub.platform.tenancy.EndUser;

/** Connecting a provider account: authorize URL, callback, API-key check, re-authorization and health check. */
@Service
public class ConnectFlow {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectFlow.class);
    /** Providers that also accept a static key instead of OAuth (HubSpot private-app tokens). */
    private static final List<String> KEY_CAPABLE_OAUTH = List.of("hubspot");

    private final ConnectionService connections;
    private final ConnectionRepository repository;
    private final ConnectionConfigValidator validator;
    private final ProviderCatalog catalog;
    private final ProviderProfiles profiles;
    private final AuthorizationStates states;
    private final TokenEndpoint tokenEndpoint;
    private final TokenManager tokens;
    private final CredentialStore credentials;
    private final OAuthHttp http;
    private final OAuthProperties oauth;
    private final HubProperties hub;

    public ConnectFlow(ConnectionService connections, ConnectionRepository repository, ConnectionConfigValidator validator,
            ProviderCatalog catalog, ProviderProfiles profiles, AuthorizationStates states, TokenEndpoint tokenEndpoint,
            TokenManager tokens, CredentialStore credentials, OAuthHttp http, OAuthProperties oauth, HubProperties hub) {
        this.connections = connections;
        this.repository = repository;
        this.validator = validator;
        this.catalog = catalog;
        this.profiles = profiles;
        this.states = states;
        this.tokenEndpoint = tokenEndpoint;
        this.tokens = tokens;
        this.credentials = credentials;
        this.http = http;
        this.oauth = oauth;
        this.hub = hub;
    }

    /**
     * {@code POST /connections}: a pending connection with its authorize URL, or an active API-key connection;
     * of {@code endUser} when not null.
     */
    public Map<String, Object> create(UUID tenantId, JsonNode body, EndUser endUser) {
        ProviderDefinition provider = connections.provider(body.path("provider").asText());
        if (body.path("credentials").has("clientId") || body.path("credentials").has("clientSecret")) {
            return createWithKeyPair(tenantId, provider, body, endUser);
        }
        String apiKey = body.path("credentials").path("apiKey").asText(null);
        // An api_key family whose catalog also names an authorize-url (Business Central: on-premises key or online
        // Microsoft OAuth) connects through OAuth when no key is given.
        boolean oauthToo = provider.authType() == AuthType.api_key && catalog.family(provider.key())
                .map(f -> f.endpoints().containsKey("authorize-url")).orElse(false);
        boolean keyFlow = provider.authType() == AuthType.api_key && (apiKey != null || !oauthToo)
                || apiKey != null && KEY_CAPABLE_OAUTH.contains(provider.key());
        if (apiKey != null && !keyFlow) {
            throw ProblemException.unprocessable("'" + provider.key() + "' connects through OAuth; credentials are not accepted.",
                    new FieldError("/credentials", "not accepted for this provider"));
        }
        if (!keyFlow && (!catalog.isConfigured(provider)
                || oauthToo && !org.springframework.util.StringUtils.hasText(catalog.settings(provider).getClientId()))) {
            throw ProblemException.unprocessable("The hub has no client id for '" + provider.key()
                    + "'. An operator must set " + catalog.missingSetting(provider) + " (and its client secret).",
                    new FieldError("/provider", "provider not configured"));
        }
        String name = body.hasNonNull("name") ? body.get("name").asText().trim() : provider.name();
        ObjectNode config = body.get("config") instanceof ObjectNode c ? c.deepCopy() : connections.emptyConfig();
        validator.validate(provider, config);
        String ownRoot = catalog.family(provider.key()).filter(f -> f.connectionUrl() != null && f.connectionUrl().root())
                .map(f -> f.connectionUrl().config()).orElse(null);
        if (!keyFlow && ownRoot != null && config.hasNonNull(ownRoot)) {
            // A connection at its own API root (BC on-premises) is made with that server's key, never through OAuth.
            throw ProblemException.unprocessable("A connection with config." + ownRoot + " needs credentials.apiKey.",
                    new FieldError("/credentials/apiKey", "required with config." + ownRoot));
        }
        String returnUrl = checkedReturnUrl(body.path("returnUrl").asText(null));
        if (keyFlow) {
            return createWithKey(tenantId, provider, name, config, apiKey, endUser);
        }
        Connection connection = repository.insert(tenantId, provider.key(), name, ConnectionStatus.PENDING,
                catalog.scopes(provider), config, endUser);
        Map<String, Object> created = created(connection.id(), provider, ConnectionStatus.PENDING, endUser);
        created.put("authorizeUrl", authorizeUrl(tenantId, connection.id(), provider, returnUrl, config));
        return created;
    }

    private static Map<String, Object> created(UUID id, ProviderDefinition provider, ConnectionStatus status, EndUser endUser) {
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("id", id);
        created.put("provider", provider.key());
        created.put("status", status.wire());
        if (endUser != null) {
            created.put("endUser", endUser);
        }
        return created;
    }

    private Map<String, Object> createWithKey(UUID tenantId, ProviderDefinition provider, String name, ObjectNode config,
            String apiKey, EndUser endUser) {
        if (apiKey == null || apiKey.isBlank()) {
            throw ProblemException.unprocessable("'" + provider.key() + "' needs credentials.apiKey.",
                    new FieldError("/credentials/apiKey", "required for this provider"));
        }
        // With the config: a connection's own base URL (e.g. a BC on-premises service root) is where the key is checked.
        ProviderSettings settings = catalog.settings(provider, config);
        Connection.Account account;
        try {
            account = profiles.get(provider.key()).identity().fetch(http, settings, apiKey);
        } catch (IdentityException | ProviderUnavailableException e) {
            throw ProblemException.unprocessable("The provider did not accept the key: " + e.getMessage(),
                    new FieldError("/credentials/apiKey", "rejected by the provider"));
        }
        Connection connection = repository.insert(tenantId, provider.key(), name, ConnectionStatus.ACTIVE, List.of(), config,
                endUser);
        credentials.save(tenantId, new Credentials(connection.id(), null, null, apiKey, "api_key", null, null,
                Instant.now(), 0, Map.of()));
        repository.updateAccount(tenantId, connection.id(), account, List.of());
        return created(connection.id(), provider, ConnectionStatus.ACTIVE, endUser);
    }

    /**
     * A connection made with the tenant's own key pair (client credentials grant, for families whose catalog
     * {@code auth.clientCredentials} is true, e.g. a Simpro build's API key): the token is asked for at once at the
     * connection's token URL, the pair is kept sealed in the vault for the next grant, and the connection is active.
     */
    private Map<String, Object> createWithKeyPair(UUID tenantId, ProviderDefinition provider, JsonNode body, EndUser endUser) {
        boolean allowed = catalog.family(provider.key()).map(f -> f.clientCredentials()).orElse(false);
        if (!allowed) {
            throw ProblemException.unprocessable("'" + provider.key() + "' does not accept a client id and secret.",
                    new FieldError("/credentials", "not accepted for this provider"));
        }
        String clientId = body.path("credentials").path("clientId").asText("");
        String clientSecret = body.path("credentials").path("clientSecret").asText("");
        if (clientId.isBlank() || clientSecret.isBlank()) {
            throw ProblemException.unprocessable("A key pair needs both credentials.clientId and credentials.clientSecret.",
                    new FieldError(clientId.isBlank() ? "/credentials/clientId" : "/credentials/clientSecret", "required"));
        }
        String name = body.hasNonNull("name") ? body.get("name").asText().trim() : provider.name();
        ObjectNode config = body.get("config") instanceof ObjectNode c ? c.deepCopy() : connections.emptyConfig();
        validator.validate(provider, config);
        ProviderProfile profile = profiles.get(provider.key());
        ProviderSettings settings = catalog.settings(provider, config);
        Tokens issued;
        Connection.Account account;
        try {
            issued = tokenEndpoint.clientCredentials(profile, settings, clientId, clientSecret);
            account = profile.identity().fetch(http, settings, issued.accessToken());
        } catch (InvalidGrantException | TokenEndpointException | IdentityException | ProviderUnavailableException e) {
            throw ProblemException.unprocessable("The provider did not accept the key pair: " + clip(e.getMessage()),
                    new FieldError("/credentials", "rejected by the provider"));
        }
        Connection connection = repository.insert(tenantId, provider.key(), name, ConnectionStatus.ACTIVE, List.of(), config,
                endUser);
        Map<String, String> data = new LinkedHashMap<>(issued.providerData());
        data.put(TokenManager.GRANT, TokenManager.CLIENT_CREDENTIALS);
        credentials.save(tenantId, new Credentials(connection.id(), issued.accessToken(),
                TokenManager.keyPair(clientId, clientSecret), null, issued.tokenType(), issued.expiresAt(), null,
                Instant.now(), 0, data));
        repository.updateAccount(tenantId, connection.id(), account, issued.scopes());
        return created(connection.id(), provider, ConnectionStatus.ACTIVE, endUser);
    }

    /** {@code POST /connections/{id}/reauthorize}: a fresh authorize URL for the same connection. */
    public Map<String, Object> reauthorize(UUID tenantId, UUID connectionId, JsonNode body) {
        Connection connection = connections.get(tenantId, connectionId);
        ProviderDefinition provider = connections.provider(connection.provider());
        if (provider.authType() != AuthType.oauth2) {
            throw ProblemException.unprocessable("'" + provider.key() + "' does not use OAuth; create a new connection "
                    + "with a new key instead.");
        }
        if (!catalog.isConfigured(provider)) {
            throw ProblemException.unprocessable("The hub has no client id for '" + provider.key() + "'. An operator must set "
                    + catalog.missingSetting(provider) + ".");
        }
        String returnUrl = checkedReturnUrl(body == null ? null : body.path("returnUrl").asText(null));
        return Map.of("authorizeUrl", authorizeUrl(tenantId, connectionId, provider, returnUrl, connection.config()));
    }

    String authorizeUrl(UUID tenantId, UUID connectionId, ProviderDefinition provider, String returnUrl, JsonNode config) {
        ProviderProfile profile = profiles.get(provider.key());
        ProviderSettings settings = catalog.settings(provider, config);
        Issued issued = states.issue(tenantId, connectionId, provider.key(), profile.pkce(), returnUrl);
        List<String> scopes = new ArrayList<>(catalog.scopes(provider));
        profile.requiredScopes().stream().filter(s -> !scopes.contains(s)).forEach(scopes::add);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", settings.getClientId());
        q.put("redirect_uri", redirectUri(provider));
        q.put("scope", String.join(provider.scopeSeparator(), scopes));
        q.put("state", issued.state());
        if (issued.codeVerifier() != null) {
            q.put("code_challenge", AuthorizationStates.challenge(issued.codeVerifier()));
            q.put("code_challenge_method", "S256");
        }
        q.putAll(profile.authorizeExtras());
        String base = settings.getAuthorizeUrl();
        return base + (base.contains("?") ? "&" : "?") + OAuthHttp.formEncode(q);
    }

    String redirectUri(ProviderDefinition provider) {
        String base = hub.getPublicUrl().endsWith("/") ? hub.getPublicUrl().substring(0, hub.getPublicUrl().length() - 1)
                : hub.getPublicUrl();
        return base + "/oauth/callback/" + provider.key();
    }

    /** {@code returnUrl} when {@code hub.oauth.allowed-return-urls} admits it (null stays null), else a 400. */
    public String checkedReturnUrl(String returnUrl) {
        if (returnUrl == null || returnUrl.isBlank()) {
            return null;
        }
        return ReturnUrlAllowList.admit(returnUrl, oauth.getAllowedReturnUrls()).orElseThrow(() -> ProblemException.badRequest(
                "returnUrl is not on this hub's allow-list (hub.oauth.allowed-return-urls).",
                new FieldError("/returnUrl", "not allowed: the same scheme, host and port as an allowed URL and a path at "
                        + "or below its path, without userinfo, backslashes, dot segments or encoded separators")));
    }


    /** The outcome of a callback, for the browser. */
    public record Outcome(UUID connectionId, String status, String returnUrl) {
    }

    /**
     * {@code GET /oauth/callback/{provider}}. An unknown, expired, reused or foreign state is a 400 and
     * changes nothing; otherwise the state is used up and the connection ends {@code active} or {@code error}.
     */
    public Outcome callback(String providerKey, Map<String, String> query) {
        String state = query.get("state");
        Optional<Pending> found = states.find(state);
        if (found.isEmpty()) {
            throw ProblemException.badRequest("Unknown authorization state.");
        }
        Pending pending = found.get();
        if (!pending.provider().equals(providerKey)) {
            throw ProblemException.badRequest("This authorization state belongs to another provider.");
        }
        if (pending.usedAt() != null || !pending.expiresAt().isAfter(Instant.now())) {
            throw ProblemException.badRequest("This authorization state has expired or was already used; start again.");
        }
        Connection connection = repository.find(pending.tenantId(), pending.connectionId())
                .orElseThrow(() -> ProblemException.badRequest("Unknown authorization state."));
        if (!states.consume(pending.tenantId(), state)) {
            throw ProblemException.badRequest("This authorization state has expired or was already used; start again.");
        }
        UUID tenantId = pending.tenantId();
        ProviderDefinition provider = catalog.find(providerKey).orElseThrow();
        String error = query.get("error");
        String code = query.get("code");
        if (error != null || code == null || code.isBlank()) {
            String reason = error == null ? "the provider sent no authorization code"
                    : clip(error + (query.get("error_description") != null ? ": " + query.get("error_description") : ""));
            connections.changeStatus(tenantId, connection, ConnectionStatus.ERROR, "authorization failed: " + reason);
            return new Outcome(connection.id(), ConnectionStatus.ERROR.wire(), pending.returnUrl());
        }
        ProviderProfile profile = profiles.get(providerKey);
        ProviderSettings settings = catalog.settings(provider, connection.config());
        Tokens issued;
        try {
            issued = tokenEndpoint.exchangeCode(profile, settings, code, redirectUri(provider), pending.codeVerifier());
        } catch (InvalidGrantException | TokenEndpointException | ProviderUnavailableException e) {
            connections.changeStatus(tenantId, connection, ConnectionStatus.ERROR, "code exchange failed: " + clip(e.getMessage()));
            return new Outcome(connection.id(), ConnectionStatus.ERROR.wire(), pending.returnUrl());
        }
        Credentials previous = credentials.find(tenantId, connection.id()).orElse(null);
        credentials.save(tenantId, tokens.merge(connection.id(), provider, issued, null).withConnectionId(connection.id()));
        List<String> granted = issued.scopes().isEmpty() ? connection.scopes() : issued.scopes();
        try {
            Connection.Account account = profile.identity().fetch(http, settings, issued.accessToken());
            repository.updateAccount(tenantId, connection.id(), account, granted);
        } catch (IdentityException | ProviderUnavailableException e) {
            connections.changeStatus(tenantId, connection, ConnectionStatus.ERROR, "identity call failed: " + clip(e.getMessage()));
            return new Outcome(connection.id(), ConnectionStatus.ERROR.wire(), pending.returnUrl());
        }
        connections.changeStatus(tenantId, connection, ConnectionStatus.ACTIVE, null);
        if (previous != null) {
            connections.keepChosenAccount(tenantId, connection.id());
        }
        LOG.info("Connection {} ({}) authorized{}", connection.id(), providerKey, previous != null ? " again" : "");
        return new Outcome(connection.id(), ConnectionStatus.ACTIVE.wire(), pending.returnUrl());
    }

    /** {@code POST /connections/{id}/check}: the light identity call with the connection's own token. */
    public Map<String, Object> check(UUID tenantId, UUID connectionId) {
        Connection connection = connections.get(tenantId, connectionId);
        Map<String, Object> result = new LinkedHashMap<>();
        boolean healthy = false;
        String message;
        if (connection.status() == ConnectionStatus.DISCONNECTED || connection.status() == ConnectionStatus.PENDING) {
            message = "Connection is " + connection.status().wire() + ".";
        } else {
            ProviderDefinition provider = catalog.find(connection.provider()).orElseThrow();
            ProviderProfile profile = profiles.get(provider.key());
            ProviderSettings settings = catalog.settings(provider, connection.config());
            try {
                Connection.Account[] account = new Connection.Account[1];
                IdentityException[] failure = new IdentityException[1];
                tokens.call(tenantId, connectionId, bearer -> {
                    try {
                        account[0] = profile.identity().fetch(http, settings, bearer);
                        failure[0] = null;
                        return new Response(200, "", null);
                    } catch (IdentityException e) {
                        failure[0] = e;
                        return new Response(e.status(), "", null);
                    }
                });
                if (failure[0] != null) {
                    message = "The provider refused the call: " + failure[0].getMessage();
                } else {
                    healthy = true;
                    Connection.Account a = account[0];
                    message = "Connected" + (a != null && (a.name() != null || a.email() != null)
                            ? " as " + (a.name() != null ? a.name() : a.email()) : "") + ".";
                }
            } catch (ReauthRequiredException e) {
                message = "Re-authorization needed: " + e.getMessage();
            } catch (ProviderUnavailableException e) {
                message = "The provider is not reachable right now: " + e.getMessage();
            }
        }
        result.put("healthy", healthy);
        result.put("message", message);
        result.put("checkedAt", Instant.now());
        return result;
    }

    private static String clip(String s) {
        if (s == null) {
            return null;
        }
        String clean = s.replaceAll("[\\p{Cntrl}]", " ");
        return clean.length() > 500 ? clean.substring(0, 500) + "…" : clean;
    }
}
