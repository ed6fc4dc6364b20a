package io.integrationhub.platform.oauth;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.config.HubProperties.ProviderSettings;
import io.integrationhub.platform.oauth.OAuthHttp.Request;
import io.integrationhub.platform.oauth.OAuthHttp.Response;

/**
 * The token endpoint, in each provider's dialect: code exchange and refresh, the client authentication
 * style of its {@link ProviderProfile}, and the answer sorted into tokens, {@link InvalidGrantException}
 * (the grant is gone), {@link ProviderUnavailableException} (try again later) or {@link TokenEndpointException}.
 */
@Component
public class TokenEndpoint {

    /** Error codes meaning "this grant is dead": RFC 6749 plus HubSpot's and Slack's own names. */
    private static final Set<String> DEAD_GRANT = Set.of("invalid_grant", "BAD_REFRESH_TOKEN", "invalid_refresh_token",
            "token_revoked", "token_expired", "invalid_code", "code_already_used");

    private final OAuthHttp http;
    private final ObjectMapper mapper;

    public TokenEndpoint(OAuthHttp http, ObjectMapper mapper) {
        this.http = http;
        this.mapper = mapper;
    }

    /** What a token endpoint answered; plaintext, in memory only. */
    public record Tokens(String accessToken, String refreshToken, String tokenType, Instant expiresAt,
            Instant refreshExpiresAt, List<String> scopes, Map<String, String> providerData) {
        @Override
        public String toString() {
            return "Tokens{expiresAt=" + expiresAt + ", refresh=" + (refreshToken != null) + "}";
        }
    }

    public Tokens exchangeCode(ProviderProfile profile, ProviderSettings settings, String code, String redirectUri,
            String codeVerifier) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "authorization_code");
        fields.put("code", code);
        fields.put("redirect_uri", redirectUri);
        fields.put("code_verifier", codeVerifier);
        return call(profile, settings, fields);
    }

    public Tokens refresh(ProviderProfile profile, ProviderSettings settings, String refreshToken) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "refresh_token");
        fields.put("refresh_token", refreshToken);
        return call(profile, settings, fields);
    }

    /** The client credentials grant (RFC 6749 §4.4) with a tenant's own key pair at the provider's token URL. */
    public Tokens clientCredentials(ProviderProfile profile, ProviderSettings settings, String clientId, String clientSecret) {
        ProviderSettings own = new ProviderSettings();
        own.setTokenUrl(settings.getTokenUrl());
        own.setClientId(clientId);
        own.setClientSecret(clientSecret);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "client_credentials");
        return call(profile, own, fields);
    }

    private Tokens call(ProviderProfile profile, ProviderSettings settings, Map<String, String> fields) {
        Request request = Request.post(settings.getTokenUrl());
        switch (profile.clientAuth()) {
            case BASIC -> request.header("Authorization", ProviderProfiles.basic(settings)).form(fields);
            case BASIC_JSON -> {
                ObjectNode body = mapper.createObjectNode();
                fields.forEach((k, v) -> {
                    if (v != null) {
                        body.put(k, v);
                    }
                });
                request.header("Authorization", ProviderProfiles.basic(settings)).json(body.toString());
            }
            case JSON -> {
                ObjectNode body = mapper.createObjectNode();
                body.put("client_id", settings.getClientId());
                body.put("client_secret", settings.getClientSecret());
                fields.forEach((k, v) -> {
                    if (v != null) {
                        body.put(k, v);
                    }
                });
                request.json(body.toString());
            }
            default -> {
                Map<String, String> all = new LinkedHashMap<>(fields);
                all.put("client_id", settings.getClientId());
                all.put("client_secret", settings.getClientSecret());
                request.form(all);
            }
        }
        profile.tokenHeaders().forEach(request::header);
        Response r = http.send(request);
        JsonNode json = r.json();
        if (r.transientFailure()) {
            throw new ProviderUnavailableException("token endpoint answered " + r.status());
        }
        String error = errorCode(json);
        if (!r.ok() || error != null || !json.hasNonNull("access_token") && !json.path("authed_user").hasNonNull("access_token")) {
            String reason = (error != null ? error : "HTTP " + r.status()) + ProviderProfiles.describe(json);
            if (error != null && DEAD_GRANT.contains(error) || isSquareAuthError(json)) {
                throw new InvalidGrantException(reason);
            }
            throw new TokenEndpointException("token endpoint refused: " + reason);
        }
        return tokens(json);
    }

    private static String errorCode(JsonNode json) {
        if (json.path("error").isTextual()) {
            return json.get("error").asText();
        }
        if (json.path("ok").isBoolean() && !json.get("ok").asBoolean()) {
            return "slack_error";
        }
        if (json.path("status").isTextual() && "BAD_REFRESH_TOKEN".equals(json.get("status").asText())) {
            return "BAD_REFRESH_TOKEN";
        }
        if (json.path("errors").isArray() && json.get("errors").size() > 0) {
            return json.get("errors").get(0).path("code").asText("error");
        }
        return null;
    }

    private static boolean isSquareAuthError(JsonNode json) {
        return json.path("errors").isArray() && json.get("errors").size() > 0
                && "AUTHENTICATION_ERROR".equals(json.get("errors").get(0).path("category").asText());
    }

    private Tokens tokens(JsonNode json) {
        Instant now = Instant.now();
        // Slack user-token-only installs answer with the token under authed_user.
        JsonNode source = json.hasNonNull("access_token") ? json : json.path("authed_user");
        Instant expiresAt = json.hasNonNull("expires_in") ? now.plusSeconds(json.get("expires_in").asLong())
                : parseInstant(json.path("expires_at").asText(null));
        Instant refreshExpiresAt = json.hasNonNull("refresh_token_expires_in")
                ? now.plusSeconds(json.get("refresh_token_expires_in").asLong())
                : parseInstant(json.path("refresh_token_expires_at").asText(null));
        List<String> scopes = new ArrayList<>();
        String scope = json.path("scope").asText(null);
        if (scope != null && !scope.isBlank()) {
            scopes.addAll(Arrays.asList(scope.trim().split("[ ,]+")));
        }
        Map<String, String> data = new HashMap<>();
        if (json.hasNonNull("merchant_id")) {
            data.put("merchantId", json.get("merchant_id").asText());
        }
        if (json.path("team").hasNonNull("id")) {
            data.put("teamId", json.path("team").get("id").asText());
        }
        if (json.hasNonNull("hub_id")) {
            data.put("hubId", json.get("hub_id").asText());
        }
        return new Tokens(source.get("access_token").asText(), source.path("refresh_token").asText(null),
                json.path("token_type").asText("Bearer"), expiresAt, refreshExpiresAt, scopes, data);
    }

    private static Instant parseInstant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
