package io.integrationhub.platform.oauth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.config.HubProperties;

/**
 * A stand-in for every OAuth provider, served by the hub itself in the zero-setup profile
 * ({@code hub.sandbox.enabled}, routes {@code sandbox.*}), so Connect → consent → connected works without
 * real provider accounts. Speaks each provider's token and identity shapes closely enough for the hub's
 * own client; keeps its codes and tokens in memory. It redirects only back to this hub's callback.
 */
@Component("providerSandbox")
public class ProviderSandbox {

    private static final SecureRandom RANDOM = new SecureRandom();

    private record Grant(String provider, String redirectUri, String challenge) {
    }

    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, String> accessTokens = new ConcurrentHashMap<>();
    private final HubProperties hub;
    private final ObjectMapper mapper;

    private final ObjectProvider<SandboxApi> apis;

    public ProviderSandbox(HubProperties hub, ObjectMapper mapper, ObjectProvider<SandboxApi> apis) {
        this.hub = hub;
        this.mapper = mapper;
        this.apis = apis;
    }

    /** GET /sandbox/{provider}/authorize: the consent page. */
    public void authorize(Exchange exchange) {
        var in = exchange.getMessage();
        String provider = in.getHeader("provider", String.class);
        String redirect = in.getHeader("redirect_uri", String.class);
        String state = in.getHeader("state", String.class);
        if (redirect == null || !redirect.startsWith(hub.getPublicUrl() + "/oauth/callback/") || state == null) {
            html(exchange, 400, "<p>Sandbox: redirect_uri must be this hub's callback, and state is required.</p>");
            return;
        }
        Map<String, String> common = new LinkedHashMap<>();
        common.put("redirect_uri", redirect);
        common.put("state", state);
        if (in.getHeader("code_challenge") != null) {
            common.put("code_challenge", in.getHeader("code_challenge", String.class));
        }
        String approve = "/sandbox/" + OAuthHttp.enc(provider) + "/decide?" + OAuthHttp.formEncode(common) + "&decision=approve";
        String deny = "/sandbox/" + OAuthHttp.enc(provider) + "/decide?" + OAuthHttp.formEncode(common) + "&decision=deny";
        String scope = in.getHeader("scope", "", String.class);
        html(exchange, 200, "<h1>" + HtmlUtils.htmlEscape(provider) + " sandbox</h1>"
                + "<p>The integration hub asks for: <code>" + HtmlUtils.htmlEscape(scope) + "</code></p>"
                + "<p>This is a local stand-in for the real provider: no account is needed.</p>"
                + "<p><a id=\"approve\" href=\"" + HtmlUtils.htmlEscape(approve) + "\">Approve</a> &nbsp; "
                + "<a id=\"deny\" href=\"" + HtmlUtils.htmlEscape(deny) + "\">Deny</a></p>");
    }

    /** GET /sandbox/{provider}/decide: back to the hub with a code or access_denied. */
    public void decide(Exchange exchange) {
        var in = exchange.getMessage();
        String provider = in.getHeader("provider", String.class);
        String redirect = in.getHeader("redirect_uri", String.class);
        String state = in.getHeader("state", String.class);
        if (redirect == null || !redirect.startsWith(hub.getPublicUrl() + "/oauth/callback/")) {
            html(exchange, 400, "<p>Sandbox: bad redirect_uri.</p>");
            return;
        }
        Map<String, String> q = new LinkedHashMap<>();
        if ("approve".equals(in.getHeader("decision", String.class))) {
            String code = "sandbox-code-" + random();
            codes.put(code, new Grant(provider, redirect, in.getHeader("code_challenge", String.class)));
            q.put("code", code);
        } else {
            q.put("error", "access_denied");
            q.put("error_description", "The user denied access in the sandbox");
        }
        q.put("state", state);
        in.removeHeaders("*");
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
        in.setHeader("Location", redirect + "?" + OAuthHttp.formEncode(q));
        in.setBody("");
    }

    /** POST /sandbox/{provider}/token: code exchange and refresh, in the provider's answer shape. */
    public void token(Exchange exchange) throws JsonProcessingException {
        var in = exchange.getMessage();
        String provider = in.getHeader("provider", String.class);
        Map<String, String> fields = new LinkedHashMap<>();
        String body = in.getBody() instanceof Map<?, ?> ? null : in.getBody(String.class);
        if (in.getBody() instanceof Map<?, ?> form) {
            // platform-http has already parsed a form body
            form.forEach((k, v) -> fields.put(String.valueOf(k), String.valueOf(v)));
        } else if (body != null && body.trim().startsWith("{")) {
            mapper.readTree(body).fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().asText()));
        } else if (body != null) {
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    fields.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        String grantType = fields.get("grant_type");
        if ("authorization_code".equals(grantType)) {
            Grant grant = codes.remove(fields.getOrDefault("code", ""));
            boolean pkceOk = grant != null && (grant.challenge() == null || fields.get("code_verifier") != null
                    && AuthorizationStates.challenge(fields.get("code_verifier")).equals(grant.challenge()));
            if (grant == null || !grant.provider().equals(provider) || !pkceOk) {
                json(exchange, 400, mapper.createObjectNode().put("error", "invalid_grant"));
                return;
            }
        } else if ("refresh_token".equals(grantType)) {
            if (refreshTokens.remove(fields.getOrDefault("refresh_token", "")) == null) {
                json(exchange, 400, mapper.createObjectNode().put("error", "invalid_grant"));
                return;
            }
        } else if ("client_credentials".equals(grantType)) {
            // A tenant's own key pair (families with auth.clientCredentials): any pair, except a secret "wrong".
            String id = fields.getOrDefault("client_id", "");
            String secret = fields.getOrDefault("client_secret", "");
            if (id.isBlank() || secret.isBlank() || "wrong".equals(secret)) {
                json(exchange, 401, mapper.createObjectNode().put("error", "invalid_client"));
                return;
            }
            String access = "sandbox-at-" + random();
            accessTokens.put(access, provider);
            json(exchange, 200, mapper.createObjectNode().put("access_token", access).put("token_type", "Bearer")
                    .put("expires_in", 3600));
            return;
        } else {
            json(exchange, 400, mapper.createObjectNode().put("error", "unsupported_grant_type"));
            return;
        }
        String access = "sandbox-at-" + random();
        String refresh = "sandbox-rt-" + random();
        accessTokens.put(access, provider);
        refreshTokens.put(refresh, provider);
        ObjectNode answer = mapper.createObjectNode();
        answer.put("access_token", access).put("refresh_token", refresh);
        switch (provider) {
            case "square" -> answer.put("token_type", "bearer").put("merchant_id", "SANDBOXMERCHANT")
                    .put("expires_at", Instant.now().plusSeconds(30L * 86400).toString());
            case "slack" -> {
                answer.put("ok", true).put("token_type", "bot").put("expires_in", 43200);
                answer.putObject("team").put("id", "TSANDBOX").put("name", "Sandbox Workspace");
            }
            default -> answer.put("token_type", "Bearer").put("expires_in", 3600);
        }
        json(exchange, 200, answer);
    }

    /** /sandbox/{provider}/api/**: the identity calls the hub makes, for sandbox-issued tokens only. */
    /** Whether {@code token} is an access token this sandbox issued for {@code provider}. */
    public boolean issued(String provider, String token) {
        return token != null && provider.equals(accessTokens.get(token));
    }

    /**
     * Whether an {@code Authorization: Bearer …} header carries an access token this sandbox issued for
     * {@code provider}: the check a provider family's own sandbox routes make (e.g. {@code routes/notion/sandbox.camel.yaml}).
     */
    public boolean authorized(String provider, String authorization) {
        return authorization != null && authorization.startsWith("Bearer ") && issued(provider, authorization.substring(7));
    }

    public void api(Exchange exchange) throws Exception {
        var in = exchange.getMessage();
        String provider = in.getHeader("provider", String.class);
        String prefix = "/sandbox/" + provider + "/api";
        String path = in.getHeader(Exchange.HTTP_PATH, "", String.class);
        int at = path.indexOf(prefix);
        String below = at >= 0 ? path.substring(at + prefix.length()) : path;
        for (SandboxApi api : apis) {
            if (api.provider().equals(provider) && !below.isEmpty()) {
                api.handle(exchange, below);
                return;
            }
        }
        String auth = in.getHeader("Authorization", "", String.class);
        String token = auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (!provider.equals(accessTokens.get(token))) {
            json(exchange, 401, mapper.createObjectNode().put("error", "invalid_token"));
            return;
        }
        JsonNode answer = switch (provider) {
            case "xero" -> mapper.createArrayNode().add(mapper.createObjectNode().put("id", "sandbox-connection")
                    .put("tenantId", "00000000-0000-4000-8000-00000000beef").put("tenantType", "ORGANISATION")
                    .put("tenantName", "Sandbox Company (NZ)"));
            case "google-drive" -> {
                ObjectNode about = mapper.createObjectNode();
                about.putObject("user").put("displayName", "Sandbox User").put("emailAddress", "sandbox@example.com")
                        .put("permissionId", "sandbox-user");
                yield about;
            }
            case "square" -> {
                ObjectNode merchant = mapper.createObjectNode();
                merchant.putObject("merchant").put("id", "SANDBOXMERCHANT").put("business_name", "Sandbox Bakery");
                yield merchant;
            }
            case "hubspot" -> mapper.createObjectNode().put("portalId", 1234567).put("uiDomain", "app.hubspot.com");
            case "slack" -> mapper.createObjectNode().put("ok", true).put("team", "Sandbox Workspace")
                    .put("team_id", "TSANDBOX").put("user_id", "USANDBOX");
            default -> mapper.createObjectNode().put("id", "sandbox-user").put("displayName", "Sandbox User")
                    .put("mail", "sandbox@example.com");
        };
        json(exchange, 200, answer);
    }

    /** /sandbox/{provider}/revoke: forgets the grant. */
    public void revoke(Exchange exchange) {
        json(exchange, 200, mapper.createObjectNode().put("ok", true).put("success", true));
    }

    private void json(Exchange exchange, int status, JsonNode body) {
        var m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(body.toString());
    }

    private static void html(Exchange exchange, int status, String content) {
        var m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        m.setBody("<!doctype html><html><head><meta charset=\"utf-8\"><title>Provider sandbox</title></head><body>"
                + content + "</body></html>");
    }

    private static String random() {
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
