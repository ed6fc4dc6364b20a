package io.integrationhub.platform.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient.Response;

class ConnectFlowTest extends OAuthIntegrationTest {

    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    /** The user's browser at the authorization server: it approves at once and is sent back with code and state. */
    private Map<String, String> approveAt(String authorizeUrl) throws Exception {
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(authorizeUrl)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("http://localhost:8080/oauth/callback/onedrive?");
        return query(location);
    }

    @Test
    void shouldConnectOneDriveThroughARealAuthorizationServerAndCompletePkce() throws Exception {
        String key = newTenantKey();
        wm.stubFor(get(urlPathEqualTo("/graph/v1.0/me")).willReturn(okJson(
                "{\"id\":\"87d349ed-44d7-43e1-9a83-5f2406dee5bd\",\"displayName\":\"Ada Lovelace\","
                        + "\"mail\":\"ada@contoso.example\",\"userPrincipalName\":\"ada@contoso.example\"}")));

        Response created = hub.post("/api/v1/connections", key,
                "{\"provider\":\"onedrive\",\"name\":\"Ada's drive\",\"returnUrl\":\"" + RETURN_URL + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("status").asText()).isEqualTo("pending");
        String authorizeUrl = created.json().path("authorizeUrl").asText();
        Map<String, String> q = query(authorizeUrl);
        assertThat(authorizeUrl).startsWith(oauthServer.authorizationEndpointUrl("entra").toString());
        assertThat(q).containsEntry("response_type", "code").containsEntry("client_id", "ms-client-id")
                .containsEntry("redirect_uri", "http://localhost:8080/oauth/callback/onedrive")
                .containsEntry("scope", "openid Files.ReadWrite.All User.Read offline_access")
                .containsEntry("code_challenge_method", "S256");
        assertThat(q.get("state")).hasSizeGreaterThanOrEqualTo(22); // ≥ 128 bits, base64url
        assertThat(q.get("code_challenge")).hasSize(43);

        Map<String, String> back = approveAt(authorizeUrl);
        Response done = callback("onedrive", "code=" + enc(back.get("code")) + "&state=" + enc(back.get("state")));

        UUID id = UUID.fromString(created.json().path("id").asText());
        assertThat(done.status()).as(done.body()).isEqualTo(302);
        assertThat(done.header("Location")).isEqualTo(RETURN_URL + "?connectionId=" + id + "&status=active");
        JsonNode connection = hub.get("/api/v1/connections/" + id, key).json();
        assertThat(connection.path("status").asText()).isEqualTo("active");
        assertThat(connection.path("account").path("email").asText()).isEqualTo("ada@contoso.example");
        assertThat(connection.path("account").path("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(connection.path("authorizationExpiresAt").asText()).isNotEmpty(); // Microsoft: 90 days idle
        String token = tokenManager.accessToken(tenantOf(key), id);
        wm.verify(getRequestedFor(urlPathEqualTo("/graph/v1.0/me")).withHeader("Authorization", equalTo("Bearer " + token)));

        Response check = hub.post("/api/v1/connections/" + id + "/check", key, "");
        assertThat(check.json().path("healthy").asBoolean()).isTrue();
        assertThat(check.json().path("message").asText()).contains("Ada Lovelace");
        assertThat(check.json().path("checkedAt").asText()).isNotEmpty();
    }

    @Test
    void shouldRefreshAgainstTheRealAuthorizationServerWhenTheTokenExpires() throws Exception {
        String key = newTenantKey();
        wm.stubFor(get(urlPathEqualTo("/graph/v1.0/me")).willReturn(okJson("{\"id\":\"u1\",\"displayName\":\"Bo\"}")));
        String[] started = start(key, "onedrive", null);
        Map<String, String> back = approveAt(started[2]);
        Response page = callback("onedrive", "code=" + enc(back.get("code")) + "&state=" + enc(back.get("state")));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("window.opener.postMessage", started[0], "active");

        UUID id = UUID.fromString(started[0]);
        String first = tokenManager.accessToken(tenantOf(key), id);
        expireAccessToken(id);
        String second = tokenManager.accessToken(tenantOf(key), id);
        assertThat(second).isNotEqualTo(first);
        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo(second);
    }

    @Test
    void shouldRejectAReturnUrlOffTheAllowList() {
        String key = newTenantKey();
        for (String url : new String[] {"https://evil.example.com/connected", "https://app.example.com/elsewhere",
                "http://app.example.com/connected", "https://app.example.com.evil.example/connected"}) {
            Response r = hub.post("/api/v1/connections", key, "{\"provider\":\"xero\",\"returnUrl\":\"" + url + "\"}");
            assertThat(r.status()).as(url).isEqualTo(400);
            assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("/returnUrl");
        }
        assertThat(hub.get("/api/v1/connections", key).json()).isEmpty();
        assertThat(hub.post("/api/v1/connections", key, "{\"provider\":\"xero\",\"returnUrl\":\"" + RETURN_URL
                + "/step2?x=1\"}").status()).isEqualTo(201);
    }

    @Test
    void shouldMatchTheReturnUrlAllowListOnPathSegmentsAndRefuseUrlTricks() {
        String key = newTenantKey();
        // Allowed: https://app.example.com/connected and anything on https://other.example.com/.
        for (String url : new String[] {
                "https://app.example.com/connected-evil",
                "https://app.example.com/connectedevil/x",
                "https://attacker@app.example.com/connected",
                "https://app.example.com\\\\@evil.example/connected",
                "https://app.example.com/connected\\\\..\\\\elsewhere",
                "https://app.example.com/connected/../elsewhere",
                "https://app.example.com/connected/..%2felsewhere",
                "https://app.example.com/connected/%2e%2e/elsewhere",
                "https://app.example.com/connected%2F..%2F..%2Felsewhere",
                "https://app.example.com:8443/connected",
                "//evil.example/connected",
                "javascript:alert(1)//app.example.com/connected"}) {
            Response r = hub.post("/api/v1/connections", key, "{\"provider\":\"xero\",\"returnUrl\":\"" + url + "\"}");
            assertThat(r.status()).as(url).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("/returnUrl");
        }
        assertThat(hub.get("/api/v1/connections", key).json()).isEmpty();
        for (String url : new String[] {RETURN_URL, RETURN_URL + "/", RETURN_URL + "/step2?x=1",
                "https://APP.example.com:443/connected", "https://other.example.com/anything/at/all",
                RETURN_URL + "?next=%2Fjobs%2F42"}) {
            Response r = hub.post("/api/v1/connections", key, "{\"provider\":\"xero\",\"returnUrl\":\"" + url + "\"}");
            assertThat(r.status()).as(url + ": " + r.body()).isEqualTo(201);
        }
    }

    @Test
    void shouldAnswerUnknownReusedExpiredAndForeignStatesWith400AndChangeNothing() {
        String key = newTenantKey();
        // unknown
        assertThat(callback("xero", "code=c&state=" + "A".repeat(43)).status()).isEqualTo(400);
        assertThat(callback("xero", "code=c").status()).isEqualTo(400);

        // reused: the first use connects, the second is refused and the connection stays as it was
        UUID used = connectXero(key, "at-reuse-" + UUID.randomUUID(), "rt-reuse-" + UUID.randomUUID(), 1800);
        String usedStateValue = lastState;
        String usedState = jdbc.queryForObject("SELECT state_hash FROM oauth_states WHERE connection_id = ?", String.class, used);
        assertThat(usedState).hasSize(64); // only the hash is stored
        JsonNode before = hub.get("/api/v1/connections/" + used, key).json();

        // expired
        String[] expired = start(key, "xero", RETURN_URL);
        jdbc.update("UPDATE oauth_states SET expires_at = CURRENT_TIMESTAMP - INTERVAL '1 second' WHERE connection_id = ?",
                UUID.fromString(expired[0]));
        Response r2 = callback("xero", "code=whatever&state=" + enc(expired[1]));
        assertThat(r2.status()).isEqualTo(400);
        assertThat(r2.contentType()).startsWith("application/problem+json");
        assertThat(status(key, UUID.fromString(expired[0]))).isEqualTo("pending");

        // foreign: a Xero state presented at Google's callback
        String[] foreign = start(key, "xero", RETURN_URL);
        assertThat(callback("google-drive", "code=whatever&state=" + enc(foreign[1])).status()).isEqualTo(400);
        assertThat(status(key, UUID.fromString(foreign[0]))).isEqualTo("pending");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM credentials WHERE connection_id = ?", Integer.class,
                UUID.fromString(foreign[0]))).isZero();
        // ... and it was not used up by the attempt
        assertThat(jdbc.queryForObject("SELECT used_at IS NULL FROM oauth_states WHERE connection_id = ?", Boolean.class,
                UUID.fromString(foreign[0]))).isTrue();

        // a replaced state (reauthorize issued a newer one) no longer works
        String[] replaced = start(key, "xero", RETURN_URL);
        hub.post("/api/v1/connections/" + replaced[0] + "/reauthorize", key, "");
        assertThat(callback("xero", "code=whatever&state=" + enc(replaced[1])).status()).isEqualTo(400);

        // reused after success
        assertThat(callback("xero", "code=" + enc(lastCode) + "&state=" + enc(usedStateValue)).status()).isEqualTo(400);
        JsonNode after = hub.get("/api/v1/connections/" + used, key).json();
        assertThat(after).isEqualTo(before);
    }

    @Test
    void shouldRefuseASecondUseOfTheSameState() {
        String key = newTenantKey();
        String code = "xero-code-" + UUID.randomUUID();
        String[] started = start(key, "xero", RETURN_URL);
        // the provider refuses the code: the state is used up either way
        wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlPathEqualTo("/xero/token"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("code=" + code))
                .willReturn(error(400, "{\"error\":\"invalid_grant\"}")));
        assertThat(callback("xero", "code=" + code + "&state=" + enc(started[1])).status()).isEqualTo(302);
        assertThat(status(key, UUID.fromString(started[0]))).isEqualTo("error");
        JsonNode before = hub.get("/api/v1/connections/" + started[0], key).json();

        Response again = callback("xero", "code=" + code + "&state=" + enc(started[1]));
        assertThat(again.status()).isEqualTo(400);
        assertThat(hub.get("/api/v1/connections/" + started[0], key).json()).isEqualTo(before);
    }

    @Test
    void shouldMarkTheConnectionErrorWhenTheUserDenies() {
        String key = newTenantKey();
        String[] started = start(key, "google-drive", RETURN_URL);
        Response r = callback("google-drive", "error=access_denied&error_description=" + enc("The user said no")
                + "&state=" + enc(started[1]));
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).isEqualTo(RETURN_URL + "?connectionId=" + started[0] + "&status=error");
        JsonNode c = hub.get("/api/v1/connections/" + started[0], key).json();
        assertThat(c.path("status").asText()).isEqualTo("error");
        assertThat(c.path("lastError").asText()).contains("access_denied", "The user said no");
    }

    @Test
    void shouldBuildEachProvidersAuthorizeUrlItsOwnWay() {
        String key = newTenantKey();
        Map<String, String> google = query(start(key, "google-drive", null)[2]);
        assertThat(google).containsEntry("access_type", "offline").containsEntry("prompt", "consent")
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("scope", "https://www.googleapis.com/auth/drive.file https://www.googleapis.com/auth/drive.readonly");
        Map<String, String> xero = query(start(key, "xero", null)[2]);
        assertThat(xero.get("scope")).startsWith("offline_access ");
        Map<String, String> square = query(start(key, "square", null)[2]);
        assertThat(square).containsEntry("session", "false").doesNotContainKey("code_challenge");
        assertThat(start(key, "square", null)[2]).contains("scope=MERCHANT_PROFILE_READ+ITEMS_READ+");
        Map<String, String> slack = query(start(key, "slack", null)[2]);
        assertThat(slack).containsEntry("scope", "chat:write,channels:read,channels:history,app_mentions:read")
                .containsEntry("redirect_uri", "http://localhost:8080/oauth/callback/slack");
        // two authorize URLs never share a state
        assertThat(query(start(key, "xero", null)[2]).get("state")).isNotEqualTo(xero.get("state"));
    }

    @Test
    void shouldRefuseCredentialsForAnOAuthOnlyProvider() {
        Response r = hub.post("/api/v1/connections", newTenantKey(),
                "{\"provider\":\"xero\",\"credentials\":{\"apiKey\":\"k\"}}");
        assertThat(r.status()).isEqualTo(422);
    }
}
