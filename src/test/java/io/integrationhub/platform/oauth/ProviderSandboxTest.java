package io.integrationhub.platform.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.integrationhub.support.HubClient.Response;

/** The in-process provider sandbox of the zero-setup profile, driven like a browser and like the hub's client. */
class ProviderSandboxTest extends OAuthIntegrationTest {

    private static final String CALLBACK = "http://localhost:8080/oauth/callback/xero";

    private Response postForm(String path, String form) {
        return hub.send(hub.request(path, null).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    private static String link(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\" href=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as(html).isTrue();
        return m.group(1).replace("&amp;", "&");
    }

    @Test
    void shouldShowConsentIssueACodeOnceAndServeIdentityForItsOwnTokens() {
        String verifier = "v".repeat(50);
        Response consent = hub.get("/sandbox/xero/authorize?response_type=code&client_id=sandbox-client&redirect_uri="
                + enc(CALLBACK) + "&scope=" + enc("offline_access accounting.transactions") + "&state=s-123&code_challenge="
                + AuthorizationStates.challenge(verifier) + "&code_challenge_method=S256", null);
        assertThat(consent.status()).isEqualTo(200);
        assertThat(consent.body()).contains("Approve", "Deny", "offline_access accounting.transactions");

        Response approved = hub.get(link(consent.body(), "approve"), null);
        assertThat(approved.status()).isEqualTo(302);
        assertThat(approved.header("Location")).startsWith(CALLBACK + "?code=");
        Map<String, String> back = query(approved.header("Location"));
        assertThat(back).containsEntry("state", "s-123");

        assertThat(postForm("/sandbox/xero/token", "grant_type=authorization_code&code=" + back.get("code")
                + "&code_verifier=wrong").status()).isEqualTo(400);
        Response denied = hub.get(link(consent.body(), "deny"), null);
        assertThat(query(denied.header("Location"))).containsEntry("error", "access_denied").containsEntry("state", "s-123");

        Response second = hub.get(link(hub.get("/sandbox/xero/authorize?redirect_uri=" + enc(CALLBACK) + "&state=s2&code_challenge="
                + AuthorizationStates.challenge(verifier), null).body(), "approve"), null);
        String code = query(second.header("Location")).get("code");
        Response tokens = postForm("/sandbox/xero/token", "grant_type=authorization_code&code=" + code + "&code_verifier=" + verifier);
        assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
        assertThat(tokens.json().path("expires_in").asInt()).isEqualTo(3600);
        assertThat(postForm("/sandbox/xero/token", "grant_type=authorization_code&code=" + code + "&code_verifier=" + verifier)
                .json().path("error").asText()).isEqualTo("invalid_grant");

        String access = tokens.json().path("access_token").asText();
        Response identity = hub.get("/sandbox/xero/api/connections", access);
        assertThat(identity.status()).isEqualTo(200);
        assertThat(identity.json().get(0).path("tenantName").asText()).isEqualTo("Sandbox Company (NZ)");
        assertThat(hub.get("/sandbox/xero/api/connections", "forged").status()).isEqualTo(401);
        assertThat(hub.get("/sandbox/google-drive/api/drive/v3/about", access).status()).isEqualTo(401);

        String refresh = tokens.json().path("refresh_token").asText();
        Response refreshed = postForm("/sandbox/xero/token", "grant_type=refresh_token&refresh_token=" + refresh);
        assertThat(refreshed.json().path("refresh_token").asText()).isNotEqualTo(refresh);
        assertThat(postForm("/sandbox/xero/token", "grant_type=refresh_token&refresh_token=" + refresh).status()).isEqualTo(400);
    }

    @Test
    void shouldRedirectOnlyToThisHubsCallback() {
        assertThat(hub.get("/sandbox/xero/authorize?redirect_uri=" + enc("https://evil.example/cb") + "&state=s", null)
                .status()).isEqualTo(400);
        assertThat(hub.get("/sandbox/xero/decide?decision=approve&redirect_uri=" + enc("https://evil.example/cb") + "&state=s",
                null).status()).isEqualTo(400);
    }
}
