package io.integrationhub.platform.oauth;

import static io.integrationhub.platform.oauth.ProviderProfile.ClientAuth.BASIC;
import static io.integrationhub.platform.oauth.ProviderProfile.ClientAuth.FORM;
import static io.integrationhub.platform.oauth.ProviderProfile.ClientAuth.JSON;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.catalog.PerCatalogVersion;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.config.HubProperties.ProviderSettings;
import io.integrationhub.platform.catalog.FamilySpec;
import io.integrationhub.platform.connections.Connection.Account;
import io.integrationhub.platform.oauth.OAuthHttp.Request;
import io.integrationhub.platform.oauth.OAuthHttp.Response;
import io.integrationhub.platform.vault.Credentials;

/**
 * The per-provider OAuth table (wire facts: shared/providers.md). Paths are relative to the configured
 * {@code api-url} / {@code revoke-url}, so sandboxes and tests can stand in for the real hosts.
 */
@Component
public class ProviderProfiles {

    private final Map<String, ProviderProfile> profiles = new LinkedHashMap<>();
    private final ObjectMapper mapper;
    private final ProviderCatalog catalog;
    private final PerCatalogVersion<Duration> leads;
    private final ObjectProvider<FamilyIdentity> identities;
    private final Environment environment;

    public ProviderProfiles(ObjectMapper mapper, ProviderCatalog catalog, ObjectProvider<FamilyIdentity> identities,
            Environment environment) {
        this.environment = environment;
        this.mapper = mapper;
        this.catalog = catalog;
        this.leads = new PerCatalogVersion<>(catalog.families(), this::readLead);
        this.identities = identities;
        // Microsoft (onedrive, outlook, outlook-calendar) is a family described as data: identity is its route
        // direct:microsoft.identity (routes/microsoft/identity.camel.yaml); the identity platform has no RFC 7009
        // revocation endpoint for v2 tokens.
        // Xero: identity and the organisations are its routes (routes/xero/identity.camel.yaml); revoking the refresh
        // token (RFC 7009, HTTP Basic) ends the whole grant.
        add(new ProviderProfile("xero", BASIC, true, Map.of(), List.of("offline_access"), null,
                (http, s, c) -> c.refreshToken() == null ? null : revokeResult(http.send(Request.post(s.getRevokeUrl())
                        .header("Authorization", basic(s)).form(Map.of("token", c.refreshToken()))))));
        add(new ProviderProfile("google-drive", FORM, true, Map.of("access_type", "offline", "prompt", "consent"), List.of(),
                (http, s, bearer) -> {
                    JsonNode user = ok(http.send(Request.get(s.getApiUrl() + "/drive/v3/about?fields=user").bearer(bearer)))
                            .path("user");
                    return new Account(text(user, "permissionId"), text(user, "displayName"), text(user, "emailAddress"));
                },
                (http, s, c) -> revokeResult(http.send(Request.post(s.getRevokeUrl())
                        .form(Map.of("token", c.refreshToken() != null ? c.refreshToken() : c.accessToken()))))));
        // Square: identity is the family's route (routes/square/identity.camel.yaml, GET /v2/merchants/me); revocation
        // authenticates the app with "Authorization: Client <secret>", and every OAuth call pins the configured
        // Square-Version (hub.providers.square.version, default in routes/square/catalog.json).
        add(new ProviderProfile("square", JSON, false, Map.of("session", "false"), List.of(), null,
                (http, s, c) -> {
                    ObjectNode body = mapper.createObjectNode().put("client_id", s.getClientId())
                            .put("access_token", c.accessToken());
                    Request revoke = Request.post(s.getRevokeUrl()).json(body.toString())
                            .header("Authorization", "Client " + s.getClientSecret());
                    tokenHeaders("square").forEach(revoke::header);
                    return revokeResult(http.send(revoke));
                }));
        add(new ProviderProfile("hubspot", FORM, false, Map.of(), List.of(),
                (http, s, bearer) -> {
                    // Works for OAuth access tokens and private-app tokens alike.
                    JsonNode details = ok(http.send(Request.get(s.getApiUrl() + "/account-info/v3/details").bearer(bearer)));
                    return new Account(text(details, "portalId"), text(details, "uiDomain"), null);
                },
                (http, s, c) -> c.refreshToken() == null ? null
                        : revokeResult(http.send(Request.delete(s.getRevokeUrl() + "/" + OAuthHttp.enc(c.refreshToken()))))));
        add(new ProviderProfile("slack", FORM, false, Map.of(), List.of(),
                (http, s, bearer) -> {
                    JsonNode r = slackOk(http.send(Request.post(s.getApiUrl() + "/auth.test").bearer(bearer)
                            .form(Map.of())));
                    return new Account(text(r, "team_id"), text(r, "team"), null);
                },
                (http, s, c) -> {
                    Response r = http.send(Request.post(s.getRevokeUrl()).bearer(c.accessToken()).form(Map.of()));
                    String failed = revokeResult(r);
                    if (failed == null && r.json().path("ok").isBoolean() && !r.json().path("ok").asBoolean()) {
                        return "Slack answered " + r.json().path("error").asText("an error");
                    }
                    return failed;
                }));
        add(new ProviderProfile("business-central", FORM, false, Map.of(), List.of(),
                (http, s, key) -> {
                    int colon = key.indexOf(':');
                    String auth = colon > 0
                            ? "Basic " + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8))
                            : "Bearer " + key;
                    // On-premises api-url is the service root (…/api/v2.0); online it is …/v2.0 and the company list
                    // is the default environment's (the connection chooses its environment and company afterwards).
                    // A connection's own on-premises service root (config.serviceRoot) comes first.
                    String root = s.getConnectionUrl() != null ? s.getConnectionUrl()
                            : s.getApiUrl().endsWith("/api/v2.0") ? s.getApiUrl() : s.getApiUrl() + "/production/api/v2.0";
                    JsonNode companies = ok(http.send(Request.get(root + "/companies").header("Authorization", auth)))
                            .path("value");
                    JsonNode first = companies.path(0);
                    return new Account(text(first, "id"), text(first, "displayName") != null ? text(first, "displayName")
                            : text(first, "name"), null);
                }, null));
    }

    /**
     * The API version header a provider wants on its OAuth endpoints too: {@code hub.providers.<key>.version-header}
     * naming it (a family's catalog endpoint, e.g. Square's {@code Square-Version}) and
     * {@code hub.providers.<key>.version} its value.
     */
    Map<String, String> tokenHeaders(String key) {
        String header = environment.getProperty("hub.providers." + key + ".version-header");
        String version = environment.getProperty("hub.providers." + key + ".version");
        return header == null || header.isBlank() || version == null || version.isBlank() ? Map.of()
                : Map.of(header, version);
    }

    /**
     * How long before its expiry a provider's access token is refreshed when next used, beyond
     * {@code hub.oauth.refresh-skew}: {@code hub.providers.<key>.refresh-before} (an ISO duration; Square's catalog
     * says P23D, so its 30-day tokens are renewed after about a week, as Square advises). Zero when not set.
     */
    public Duration refreshLead(String key) {
        if (key == null) {
            return Duration.ZERO;
        }
        // read once per version of the family catalog (the catalog file may set it): the environment's lookup on every
        // provider call cost more than the rest of the token check
        return leads.get(key);
    }

    private Duration readLead(String key) {
        String lead = environment.getProperty("hub.providers." + key + ".refresh-before");
        try {
            return lead == null || lead.isBlank() ? Duration.ZERO : Duration.parse(lead);
        } catch (DateTimeParseException e) {
            return Duration.ZERO;
        }
    }

    private void add(ProviderProfile profile) {
        profiles.put(profile.key(), profile);
    }

    /**
     * How a family described as data ({@code routes/<family>/catalog.json} {@code auth}) does OAuth: its client
     * authentication, PKCE, extra authorize parameters and required scopes; identity is the family's route
     * {@code direct:<family>.identity}.
     */
    public interface FamilyIdentity {
        /** {@code connectionUrl}: the connection's base URL where its family has one per connection, else null. */
        Account fetch(String provider, String connectionUrl, String bearer);
    }

    public ProviderProfile get(String key) {
        FamilySpec family = key == null ? null : catalog.family(key).orElse(null);
        if (family != null) {
            // The family's catalog.json says how it does OAuth; identity and revocation are its route, or — for a
            // family whose auth.identity is "java" — the Java calls registered below.
            ProviderProfile.ClientAuth auth = ProviderProfile.ClientAuth.valueOf(family.clientAuth().toUpperCase(java.util.Locale.ROOT)
                    .replace('-', '_'));
            // A family with a route identity may still keep a Java revocation (Square's "Authorization: Client").
            ProviderProfile java = profiles.get(key);
            if (family.javaIdentity() && (java == null || java.identity() == null)) {
                throw new IllegalArgumentException("no Java identity for provider " + key);
            }
            return new ProviderProfile(key, auth, family.pkce(), family.authorizeParams(), family.requiredScopes(),
                    family.javaIdentity() ? java.identity() : (http, s, bearer) -> familyIdentity(key, s.getConnectionUrl(), bearer),
                    java != null ? java.revocation() : null, tokenHeaders(key));
        }
        ProviderProfile p = profiles.get(key);
        if (p == null) {
            throw new IllegalArgumentException("no OAuth profile for provider " + key);
        }
        return p;
    }

    private Account familyIdentity(String key, String connectionUrl, String bearer) {
        FamilyIdentity identity = identities.getIfAvailable();
        if (identity == null) {
            throw new IdentityException(0, "no identity route runner is configured");
        }
        try {
            return identity.fetch(key, connectionUrl, bearer);
        } catch (io.integrationhub.platform.resilience.ProviderCallException e) {
            if (e.kind() == io.integrationhub.platform.resilience.ProviderCallException.Kind.UNAVAILABLE
                    || e.kind() == io.integrationhub.platform.resilience.ProviderCallException.Kind.QUOTA) {
                throw new ProviderUnavailableException(e.getMessage());
            }
            throw new IdentityException(e.status(), e.getMessage());
        }
    }

    static String basic(ProviderSettings s) {
        return "Basic " + Base64.getEncoder().encodeToString((s.getClientId() + ":" + s.getClientSecret())
                .getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode ok(Response r) {
        if (r.transientFailure()) {
            throw new ProviderUnavailableException("provider answered " + r.status());
        }
        if (!r.ok()) {
            throw new IdentityException(r.status(), "provider answered " + r.status() + describe(r.json()));
        }
        return r.json();
    }

    static JsonNode slackOk(Response r) {
        JsonNode json = ok(r);
        if (!json.path("ok").asBoolean(false)) {
            throw new IdentityException(r.status(), "Slack answered " + json.path("error").asText("an error"));
        }
        return json;
    }

    static String revokeResult(Response r) {
        return r.ok() ? null : "revocation answered " + r.status() + describe(r.json());
    }

    /** A short, secret-free description of a provider error body (error codes and messages only). */
    static String describe(JsonNode json) {
        if (json == null || json.isMissingNode()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        JsonNode error = json.get("error");
        if (error != null && error.isTextual()) {
            b.append(error.asText());
            if (json.hasNonNull("error_description")) {
                b.append(": ").append(json.get("error_description").asText());
            }
        } else if (error != null && error.isObject()) {
            b.append(error.path("code").asText("")).append(": ").append(error.path("message").asText(""));
        } else if (json.path("errors").isArray() && json.path("errors").size() > 0) {
            JsonNode e = json.path("errors").get(0);
            b.append(e.path("code").asText(e.path("category").asText(""))).append(": ").append(e.path("detail").asText(""));
        } else if (json.hasNonNull("message")) {
            b.append(json.path("status").asText("")).append(" ").append(json.get("message").asText());
        } else if (json.hasNonNull("Message")) {
            b.append(json.get("Message").asText());
        } else if (json.hasNonNull("Detail")) {
            b.append(json.get("Detail").asText());
        }
        String text = b.toString().trim();
        if (text.isEmpty()) {
            return "";
        }
        return " (" + (text.length() > 300 ? text.substring(0, 300) + "…" : text) + ")";
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
