package io.integrationhub.platform.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.integrationhub.platform.tenancy.TenantService;
import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The hub with its OAuth providers configured: the Microsoft entries against a real OAuth2 server
 * (mock-oauth2-server) with Graph on WireMock, every other provider against WireMock speaking the wire
 * shapes of shared/providers.md. All subclasses share one application context.
 */
public abstract class OAuthIntegrationTest extends HubIntegrationTest {

    protected static final String RETURN_URL = "https://app.example.com/connected";
    protected static final String XERO_ID = "xero-client-id";
    protected static final String XERO_SECRET = "xero-client-secret-do-not-leak";

    protected static final WireMockServer wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    protected static final MockOAuth2Server oauthServer = new MockOAuth2Server();

    static {
        wm.start();
        oauthServer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            wm.stop();
            oauthServer.shutdown();
        }));
    }

    /** State and code of the last {@link #connectXero} run. */
    protected String lastState;
    protected String lastCode;

    @Autowired
    protected JdbcTemplate jdbc;
    @Autowired
    protected TenantService tenants;
    @Autowired
    protected TokenManager tokenManager;

    @DynamicPropertySource
    static void providers(DynamicPropertyRegistry r) {
        String w = wm.baseUrl();
        r.add("hub.providers.microsoft.client-id", () -> "ms-client-id");
        r.add("hub.providers.microsoft.client-secret", () -> "ms-client-secret-do-not-leak");
        r.add("hub.providers.microsoft.authorize-url", () -> oauthServer.authorizationEndpointUrl("entra").toString());
        r.add("hub.providers.microsoft.token-url", () -> oauthServer.tokenEndpointUrl("entra").toString());
        r.add("hub.providers.microsoft.api-url", () -> w + "/graph/v1.0");
        // mock-oauth2-server speaks OpenID Connect and insists on "openid"; operators can widen scopes per entry.
        r.add("hub.providers.onedrive.scopes", () -> "openid,Files.ReadWrite.All,User.Read,offline_access");
        provider(r, "xero", XERO_ID, XERO_SECRET, w + "/xero");
        r.add("hub.providers.xero.api-url", () -> w + "/xero-api");
        provider(r, "google-drive", "google-client-id", "google-client-secret-do-not-leak", w + "/google");
        provider(r, "square", "sq0idp-square-id", "square-client-secret-do-not-leak", w + "/square");
        provider(r, "hubspot", "hubspot-client-id", "hubspot-client-secret-do-not-leak", w + "/hubspot");
        r.add("hub.providers.hubspot.revoke-url", () -> w + "/hubspot/oauth/v1/refresh-tokens");
        provider(r, "slack", "slack-client-id", "slack-client-secret-do-not-leak", w + "/slack");
        r.add("hub.providers.business-central.api-url", () -> w + "/bc/api/v2.0");
        r.add("hub.oauth.allowed-return-urls", () -> RETURN_URL + ",https://other.example.com/");
        r.add("hub.oauth.refresh-backoff", () -> "PT0.05S");
        r.add("hub.oauth.keep-alive-delay", () -> "1h");
        r.add("hub.sandbox.enabled", () -> "true");
    }

    private static void provider(DynamicPropertyRegistry r, String key, String id, String secret, String base) {
        r.add("hub.providers." + key + ".client-id", () -> id);
        r.add("hub.providers." + key + ".client-secret", () -> secret);
        r.add("hub.providers." + key + ".authorize-url", () -> base + "/authorize");
        r.add("hub.providers." + key + ".token-url", () -> base + "/token");
        r.add("hub.providers." + key + ".revoke-url", () -> base + "/revoke");
        r.add("hub.providers." + key + ".api-url", () -> base + "/api");
    }

    protected UUID tenantOf(String apiKey) {
        return tenants.tenantForKey(apiKey).orElseThrow();
    }

    protected static Map<String, String> query(String url) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = URI.create(url).getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    /** The browser coming back from the provider to the hub's callback. */
    protected Response callback(String provider, String query) {
        return hub.get("/oauth/callback/" + provider + "?" + query, null);
    }

    protected static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    protected static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** Starts a connection; returns {id, state}. */
    protected String[] start(String apiKey, String provider, String returnUrl) {
        Response r = hub.post("/api/v1/connections", apiKey, "{\"provider\":\"" + provider + "\""
                + (returnUrl == null ? "" : ",\"returnUrl\":\"" + returnUrl + "\"") + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return new String[] {r.json().path("id").asText(), query(r.json().path("authorizeUrl").asText()).get("state"),
                r.json().path("authorizeUrl").asText()};
    }

    /**
     * A Xero connection taken through the whole flow against WireMock: token endpoint (Basic client auth,
     * form body), then tenant discovery on /connections. Tokens are unique per call.
     */
    protected UUID connectXero(String apiKey, String accessToken, String refreshToken, int expiresIn) {
        String code = "xero-code-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo("/xero/token"))
                .withHeader("Authorization", equalTo(basic(XERO_ID, XERO_SECRET)))
                .withRequestBody(containing("grant_type=authorization_code"))
                .withRequestBody(containing("code=" + code))
                .withRequestBody(containing("code_verifier="))
                .willReturn(okJson("{\"id_token\":\"idt\",\"access_token\":\"" + accessToken + "\",\"expires_in\":" + expiresIn
                        + ",\"token_type\":\"Bearer\",\"refresh_token\":\"" + refreshToken
                        + "\",\"scope\":\"offline_access accounting.transactions\"}")));
        wm.stubFor(get(urlPathEqualTo("/xero-api/connections"))
                .withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(okJson("[{\"id\":\"" + UUID.randomUUID() + "\",\"authEventId\":\"" + UUID.randomUUID()
                        + "\",\"tenantId\":\"7c3a0c5e-0000-4000-8000-00000000000a\",\"tenantType\":\"ORGANISATION\","
                        + "\"tenantName\":\"Demo Company (NZ)\",\"createdDateUtc\":\"2019-12-07T18:46:19.5165400\","
                        + "\"updatedDateUtc\":\"2019-12-07T18:46:19.5187840\"}]")));
        String[] started = start(apiKey, "xero", RETURN_URL);
        lastState = started[1];
        lastCode = code;
        Response back = callback("xero", "code=" + code + "&state=" + enc(started[1]));
        assertThat(back.status()).as(back.body()).isEqualTo(302);
        assertThat(back.header("Location")).endsWith("status=active");
        return UUID.fromString(started[0]);
    }

    /** Makes the stored access token look expired, as if time had passed. */
    protected void expireAccessToken(UUID connectionId) {
        jdbc.update("UPDATE credentials SET expires_at = CURRENT_TIMESTAMP - INTERVAL '1 minute' WHERE connection_id = ?",
                connectionId);
    }

    protected String status(String apiKey, UUID id) {
        return hub.get("/api/v1/connections/" + id, apiKey).json().path("status").asText();
    }

    protected static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String json) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(json);
    }
}
