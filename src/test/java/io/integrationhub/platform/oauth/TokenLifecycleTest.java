package io.integrationhub.platform.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.integrationhub.platform.oauth.OAuthHttp.Request;
import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.KafkaProbe;

/** Provider quirks at the wire level: rotation, invalid_grant, 5xx, 401 retry, revocation, API keys, keep-alive. */
class TokenLifecycleTest extends OAuthIntegrationTest {

    @Autowired
    OAuthHttp http;
    @Autowired
    TokenKeepAlive keepAlive;
    @Value("${hub.kafka.bootstrap-servers}")
    String bootstrapServers;

    private static String refreshBody(String rt) {
        return "grant_type=refresh_token&refresh_token=" + rt;
    }

    @Test
    void shouldStoreXeroTenantAndCommitTheRotatedRefreshTokenBeforeUsingTheNewAccessToken() {
        String key = newTenantKey();
        String rt1 = "xero-rt1-" + UUID.randomUUID();
        String rt2 = "xero-rt2-" + UUID.randomUUID();
        UUID id = connectXero(key, "xero-at1-" + UUID.randomUUID(), rt1, 1800);
        JsonNode c = hub.get("/api/v1/connections/" + id, key).json();
        assertThat(c.path("account").path("id").asText()).isEqualTo("7c3a0c5e-0000-4000-8000-00000000000a");
        assertThat(c.path("account").path("name").asText()).isEqualTo("Demo Company (NZ)");
        assertThat(c.path("scopes")).hasSize(2);

        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt1)))
                .withHeader("Authorization", equalTo(basic(XERO_ID, XERO_SECRET)))
                .willReturn(okJson("{\"access_token\":\"xero-at2\",\"expires_in\":1800,\"token_type\":\"Bearer\","
                        + "\"refresh_token\":\"" + rt2 + "\",\"scope\":\"offline_access accounting.transactions\"}")));
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt2)))
                .willReturn(okJson("{\"access_token\":\"xero-at3\",\"expires_in\":1800,\"token_type\":\"Bearer\","
                        + "\"refresh_token\":\"" + rt2 + "-next\"}")));
        expireAccessToken(id);

        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo("xero-at2");
        expireAccessToken(id);
        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo("xero-at3");
        wm.verify(1, postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt1))));
        wm.verify(1, postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt2))));
    }

    @Test
    void shouldEndInReauthRequiredOnInvalidGrantWithoutARetryStormAndComeBackThroughReauthorize() throws Exception {
        String key = newTenantKey();
        String rt = "xero-dead-" + UUID.randomUUID();
        UUID id = connectXero(key, "xero-at-" + UUID.randomUUID(), rt, 1800);
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt)))
                .willReturn(error(400, "{\"error\":\"invalid_grant\"}")));
        expireAccessToken(id);

        try (KafkaProbe events = new KafkaProbe(bootstrapServers, "hub.connections")) {
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> tokenManager.accessToken(tenantOf(key), id))
                        .isInstanceOf(ReauthRequiredException.class);
            }
            JsonNode event = events.await(id.toString(), e -> "reauth_required".equals(e.path("data").path("status").asText()));
            assertThat(event.path("data").path("reason").asText()).contains("invalid_grant");
        }
        wm.verify(1, postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt))));
        JsonNode c = hub.get("/api/v1/connections/" + id, key).json();
        assertThat(c.path("status").asText()).isEqualTo("reauth_required");
        assertThat(c.path("lastError").asText()).contains("invalid_grant");
        Response check = hub.post("/api/v1/connections/" + id + "/check", key, "");
        assertThat(check.json().path("healthy").asBoolean()).isFalse();

        // reauthorize: same connection, fresh consent, active again with the new grant
        Response again = hub.post("/api/v1/connections/" + id + "/reauthorize", key, "{\"returnUrl\":\"" + RETURN_URL + "\"}");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        String state = query(again.json().path("authorizeUrl").asText()).get("state");
        String code = "xero-code-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(containing("code=" + code))
                .willReturn(okJson("{\"access_token\":\"xero-at-new\",\"expires_in\":1800,\"token_type\":\"Bearer\","
                        + "\"refresh_token\":\"xero-rt-new-" + UUID.randomUUID() + "\"}")));
        wm.stubFor(get(urlPathEqualTo("/xero-api/connections")).withHeader("Authorization", equalTo("Bearer xero-at-new"))
                .willReturn(okJson("[{\"id\":\"c1\",\"tenantId\":\"7c3a0c5e-0000-4000-8000-00000000000a\","
                        + "\"tenantType\":\"ORGANISATION\",\"tenantName\":\"Demo Company (NZ)\"}]")));
        Response back = callback("xero", "code=" + code + "&state=" + enc(state));
        assertThat(back.header("Location")).isEqualTo(RETURN_URL + "?connectionId=" + id + "&status=active");
        assertThat(status(key, id)).isEqualTo("active");
        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo("xero-at-new");
        assertThat(hub.get("/api/v1/connections", key).json()).hasSize(1);
    }

    @Test
    void shouldRetryATransientTokenEndpointFailureWithBackoffAndLeaveTheStatusAlone() {
        String key = newTenantKey();
        String rt = "xero-flaky-" + UUID.randomUUID();
        UUID id = connectXero(key, "xero-at-" + UUID.randomUUID(), rt, 1800);
        String scenario = "flaky-" + id;
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt))).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED).willReturn(error(503, "{}")).willSetStateTo("second"));
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt))).inScenario(scenario)
                .whenScenarioStateIs("second").willReturn(error(502, "")).willSetStateTo("third"));
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt))).inScenario(scenario)
                .whenScenarioStateIs("third").willReturn(okJson("{\"access_token\":\"xero-after-5xx\",\"expires_in\":1800,"
                        + "\"refresh_token\":\"" + rt + "-2\"}")));
        expireAccessToken(id);

        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo("xero-after-5xx");
        wm.verify(3, postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt))));
        assertThat(status(key, id)).isEqualTo("active");

        // all attempts fail: the caller gets "unavailable", the connection stays active
        String rt2 = rt + "-2";
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt2)))
                .willReturn(error(500, "{}")));
        expireAccessToken(id);
        assertThatThrownBy(() -> tokenManager.accessToken(tenantOf(key), id)).isInstanceOf(ProviderUnavailableException.class);
        wm.verify(3, postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt2))));
        JsonNode c = hub.get("/api/v1/connections/" + id, key).json();
        assertThat(c.path("status").asText()).isEqualTo("active");
        assertThat(c.path("lastError").isNull()).isTrue();
    }

    @Test
    void shouldRefreshOnceAndRetryOnceAfterAProvider401() {
        String key = newTenantKey();
        String rt = "xero-401-" + UUID.randomUUID();
        UUID id = connectXero(key, "xero-revoked-at-" + UUID.randomUUID(), rt, 1800);
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt)))
                .willReturn(okJson("{\"access_token\":\"xero-fresh\",\"expires_in\":1800,\"refresh_token\":\"" + rt + "b\"}")));
        wm.stubFor(get(urlPathEqualTo("/xero-api/api.xro/2.0/Organisation")).willReturn(error(401, "{}")));
        wm.stubFor(get(urlPathEqualTo("/xero-api/api.xro/2.0/Organisation")).withHeader("Authorization", equalTo("Bearer xero-fresh"))
                .willReturn(okJson("{\"Organisations\":[]}")));
        String url = wm.baseUrl() + "/xero-api/api.xro/2.0/Organisation";

        OAuthHttp.Response r = tokenManager.call(tenantOf(key), id, token -> http.send(Request.get(url).bearer(token)));

        assertThat(r.status()).isEqualTo(200);
        wm.verify(2, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo("/xero-api/api.xro/2.0/Organisation")));
        wm.verify(1, postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt))));
    }

    @Test
    void shouldRevokeAtXeroAndDeleteTheCredentialsOnDisconnect() {
        String key = newTenantKey();
        String rt = "xero-bye-" + UUID.randomUUID();
        UUID id = connectXero(key, "xero-at-" + UUID.randomUUID(), rt, 1800);
        wm.stubFor(post(urlPathEqualTo("/xero/revoke")).willReturn(com.github.tomakehurst.wiremock.client.WireMock.ok()));

        Response r = hub.delete("/api/v1/connections/" + id, key);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("disconnected");
        assertThat(r.json().path("lastError").isNull()).isTrue();
        wm.verify(postRequestedFor(urlPathEqualTo("/xero/revoke")).withRequestBody(equalTo("token=" + rt))
                .withHeader("Authorization", equalTo(basic(XERO_ID, XERO_SECRET))));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM credentials WHERE connection_id = ?", Integer.class, id)).isZero();
        assertThatThrownBy(() -> tokenManager.accessToken(tenantOf(key), id)).isInstanceOf(ReauthRequiredException.class);
    }

    @Test
    void shouldStillDeleteTheCredentialsWhenGoogleRevocationFailsAndSaySo() {
        String key = newTenantKey();
        String code = "g-code-" + UUID.randomUUID();
        String rt = "g-rt-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo("/google/token")).withRequestBody(containing("code=" + code))
                .withRequestBody(containing("client_secret=google-client-secret-do-not-leak"))
                .willReturn(okJson("{\"access_token\":\"g-at\",\"expires_in\":3599,\"refresh_token\":\"" + rt
                        + "\",\"scope\":\"https://www.googleapis.com/auth/drive.file\",\"token_type\":\"Bearer\"}")));
        wm.stubFor(get(urlPathEqualTo("/google/api/drive/v3/about")).willReturn(okJson(
                "{\"user\":{\"kind\":\"drive#user\",\"displayName\":\"Grace\",\"emailAddress\":\"grace@example.com\","
                        + "\"permissionId\":\"0123\"}}")));
        wm.stubFor(post(urlPathEqualTo("/google/revoke")).willReturn(error(503, "{\"error\":\"backend_error\"}")));
        String[] started = start(key, "google-drive", RETURN_URL);
        assertThat(callback("google-drive", "code=" + code + "&state=" + enc(started[1])).header("Location")).endsWith("active");
        UUID id = UUID.fromString(started[0]);
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("account").path("email").asText())
                .isEqualTo("grace@example.com");

        Response r = hub.delete("/api/v1/connections/" + id, key);

        assertThat(r.json().path("status").asText()).isEqualTo("disconnected");
        assertThat(r.json().path("lastError").asText()).contains("revocation at google-drive failed", "503");
        wm.verify(postRequestedFor(urlPathEqualTo("/google/revoke")).withRequestBody(equalTo("token=" + rt)));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM credentials WHERE connection_id = ?", Integer.class, id)).isZero();
    }

    @Test
    void shouldExchangeSquareCodesWithAJsonBodyAndRevokeWithTheClientHeader() {
        String key = newTenantKey();
        String code = "sq0cgp-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo("/square/token"))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(equalToJson("{\"client_id\":\"sq0idp-square-id\",\"client_secret\":"
                        + "\"square-client-secret-do-not-leak\",\"grant_type\":\"authorization_code\",\"code\":\"" + code
                        + "\",\"redirect_uri\":\"http://localhost:8080/oauth/callback/square\"}"))
                .willReturn(okJson("{\"access_token\":\"EAAAsq-at\",\"token_type\":\"bearer\",\"expires_at\":"
                        + "\"2099-11-04T16:15:50Z\",\"merchant_id\":\"ML7MERCHANT\",\"refresh_token\":\"EQAAsq-rt\","
                        + "\"short_lived\":false}")));
        wm.stubFor(get(urlPathEqualTo("/square/api/v2/merchants/me")).withHeader("Square-Version", equalTo("2025-08-20"))
                .willReturn(okJson("{\"merchant\":{\"id\":\"ML7MERCHANT\",\"business_name\":\"Corner Bakery\",\"country\":\"US\"}}")));
        wm.stubFor(post(urlPathEqualTo("/square/revoke")).willReturn(okJson("{\"success\":true}")));
        String[] started = start(key, "square", RETURN_URL);
        assertThat(callback("square", "code=" + code + "&response_type=code&state=" + enc(started[1])).header("Location"))
                .endsWith("status=active");
        UUID id = UUID.fromString(started[0]);
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("account").path("name").asText())
                .isEqualTo("Corner Bakery");
        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo("EAAAsq-at");

        assertThat(hub.delete("/api/v1/connections/" + id, key).json().path("lastError").isNull()).isTrue();
        wm.verify(postRequestedFor(urlPathEqualTo("/square/revoke"))
                .withHeader("Authorization", equalTo("Client square-client-secret-do-not-leak"))
                .withRequestBody(equalToJson("{\"client_id\":\"sq0idp-square-id\",\"access_token\":\"EAAAsq-at\"}")));
    }

    @Test
    void shouldConnectSlackAndHubSpotAndRevokeTheirOwnWay() {
        String key = newTenantKey();
        String code = "slack-code-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo("/slack/token")).withRequestBody(containing("code=" + code))
                .willReturn(okJson("{\"ok\":true,\"access_token\":\"xoxb-slack-at\",\"token_type\":\"bot\",\"scope\":"
                        + "\"chat:write,channels:read\",\"bot_user_id\":\"U0KRQLJ9H\",\"app_id\":\"A0KRD7HC3\","
                        + "\"team\":{\"name\":\"Slack Softball Team\",\"id\":\"T9TK3CUKW\"}}")));
        wm.stubFor(post(urlPathEqualTo("/slack/api/auth.test")).willReturn(okJson(
                "{\"ok\":true,\"url\":\"https://subarachnoid.slack.com/\",\"team\":\"Subarachnoid Workspace\","
                        + "\"user\":\"grace\",\"team_id\":\"T9TK3CUKW\",\"user_id\":\"W12345678\"}")));
        wm.stubFor(post(urlPathEqualTo("/slack/revoke")).willReturn(okJson("{\"ok\":true,\"revoked\":true}")));
        String[] slack = start(key, "slack", RETURN_URL);
        assertThat(callback("slack", "code=" + code + "&state=" + enc(slack[1])).header("Location")).endsWith("active");
        JsonNode sc = hub.get("/api/v1/connections/" + slack[0], key).json();
        assertThat(sc.path("account").path("id").asText()).isEqualTo("T9TK3CUKW");
        assertThat(sc.path("scopes")).hasSize(2);
        hub.delete("/api/v1/connections/" + slack[0], key);
        wm.verify(postRequestedFor(urlPathEqualTo("/slack/revoke")).withHeader("Authorization", equalTo("Bearer xoxb-slack-at")));

        String hcode = "hub-code-" + UUID.randomUUID();
        String hrt = "hub-rt-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo("/hubspot/token")).withRequestBody(containing("code=" + hcode))
                .willReturn(okJson("{\"token_type\":\"bearer\",\"refresh_token\":\"" + hrt
                        + "\",\"access_token\":\"hub-at\",\"expires_in\":1800}")));
        wm.stubFor(get(urlPathEqualTo("/hubspot/api/account-info/v3/details")).willReturn(okJson(
                "{\"portalId\":62515,\"uiDomain\":\"app.hubspot.com\",\"timeZone\":\"US/Eastern\"}")));
        wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(urlPathMatching("/hubspot/oauth/v1/refresh-tokens/.*"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.noContent()));
        String[] hs = start(key, "hubspot", RETURN_URL);
        assertThat(callback("hubspot", "code=" + hcode + "&state=" + enc(hs[1])).header("Location")).endsWith("active");
        assertThat(hub.get("/api/v1/connections/" + hs[0], key).json().path("account").path("id").asText()).isEqualTo("62515");
        hub.delete("/api/v1/connections/" + hs[0], key);
        wm.verify(deleteRequestedFor(urlPathEqualTo("/hubspot/oauth/v1/refresh-tokens/" + hrt)));
    }

    @Test
    void shouldCheckAnApiKeyWithOneProviderCallBefore201Or422() {
        String key = newTenantKey();
        wm.stubFor(get(urlPathEqualTo("/bc/api/v2.0/companies")).withHeader("Authorization", equalTo("Bearer bc-good-key"))
                .willReturn(okJson("{\"@odata.context\":\"x/$metadata#companies\",\"value\":[{\"id\":"
                        + "\"f2a5738a-44e3-ea11-bb43-000d3a2feca1\",\"systemVersion\":\"1\",\"name\":\"CRONUS\","
                        + "\"displayName\":\"CRONUS USA, Inc.\",\"businessProfileId\":\"\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/bc/api/v2.0/companies")).withHeader("Authorization", equalTo("Bearer bc-bad-key"))
                .willReturn(error(401, "{\"error\":{\"code\":\"Authentication_InvalidCredentials\","
                        + "\"message\":\"The server has rejected the client credentials.\"}}")));

        Response good = hub.post("/api/v1/connections", key,
                "{\"provider\":\"business-central\",\"credentials\":{\"apiKey\":\"bc-good-key\"}}");
        assertThat(good.status()).as(good.body()).isEqualTo(201);
        assertThat(good.json().path("status").asText()).isEqualTo("active");
        assertThat(good.body()).doesNotContain("bc-good-key");
        UUID id = UUID.fromString(good.json().path("id").asText());
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("account").path("name").asText())
                .isEqualTo("CRONUS USA, Inc.");
        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo("bc-good-key");
        assertThat(hub.post("/api/v1/connections/" + id + "/check", key, "").json().path("healthy").asBoolean()).isTrue();

        Response bad = hub.post("/api/v1/connections", key,
                "{\"provider\":\"business-central\",\"credentials\":{\"apiKey\":\"bc-bad-key\"}}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("detail").asText()).contains("401", "rejected the client credentials");
        assertThat(bad.body()).doesNotContain("bc-bad-key");
        assertThat(hub.get("/api/v1/connections", key).json()).hasSize(1);

        // Without a key Business Central connects online through Microsoft OAuth (here: the provider sandbox's client).
        Response missing = hub.post("/api/v1/connections", key, "{\"provider\":\"business-central\"}");
        assertThat(missing.status()).as(missing.body()).isEqualTo(201);
        assertThat(missing.json().path("status").asText()).isEqualTo("pending");
        assertThat(missing.json().path("authorizeUrl").asText()).contains("/sandbox/business-central/authorize?");

        // HubSpot private-app token instead of OAuth
        wm.stubFor(get(urlPathEqualTo("/hubspot/api/account-info/v3/details"))
                .withHeader("Authorization", equalTo("Bearer pat-na1-private")).willReturn(okJson("{\"portalId\":777}")));
        Response pat = hub.post("/api/v1/connections", key,
                "{\"provider\":\"hubspot\",\"credentials\":{\"apiKey\":\"pat-na1-private\"}}");
        assertThat(pat.status()).isEqualTo(201);
        assertThat(pat.json().path("status").asText()).isEqualTo("active");
        assertThat(pat.json().has("authorizeUrl")).isFalse();
    }

    @Test
    void shouldKeepAnIdleXeroGrantAliveBeforeItsSixtyDaysRunOut() {
        String key = newTenantKey();
        String rt = "xero-idle-" + UUID.randomUUID();
        UUID id = connectXero(key, "xero-at-" + UUID.randomUUID(), rt, 1800);
        JsonNode before = hub.get("/api/v1/connections/" + id, key).json();
        java.time.Instant horizon = java.time.Instant.parse(before.path("authorizationExpiresAt").asText());
        assertThat(horizon).isBetween(java.time.Instant.now().plus(java.time.Duration.ofDays(59)),
                java.time.Instant.now().plus(java.time.Duration.ofDays(61)));
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt)))
                .willReturn(okJson("{\"access_token\":\"xero-kept\",\"expires_in\":1800,\"refresh_token\":\"" + rt + "-kept\"}")));
        // 57 days without use: 3 days left
        jdbc.update("UPDATE credentials SET refresh_expires_at = CURRENT_TIMESTAMP + INTERVAL '3 days' WHERE connection_id = ?", id);

        assertThat(keepAlive.run()).isGreaterThanOrEqualTo(1);

        wm.verify(1, postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt))));
        java.time.Instant renewed = java.time.Instant.parse(
                hub.get("/api/v1/connections/" + id, key).json().path("authorizationExpiresAt").asText());
        assertThat(renewed).isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(59)));
        keepAlive.run();
        wm.verify(1, postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody(rt))));
    }

    @Test
    void shouldReencryptRowsSealedWithAnOlderKeyThroughTheAdminEndpoint() {
        String key = newTenantKey();
        UUID id = connectXero(key, "xero-rot-at-" + UUID.randomUUID(), "xero-rot-rt-" + UUID.randomUUID(), 1800);
        String token = tokenManager.accessToken(tenantOf(key), id);
        // rewrite the row as a hub whose active key was still "old-1" would have
        io.integrationhub.platform.vault.CryptoProperties old = new io.integrationhub.platform.vault.CryptoProperties();
        old.setKeyRing("old-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        io.integrationhub.platform.vault.Vault oldVault = new io.integrationhub.platform.vault.Vault(
                new io.integrationhub.platform.vault.KeyRing(old, new io.integrationhub.platform.config.HubProperties()));
        jdbc.update("UPDATE credentials SET access_token_ct = ?, key_id = 'old-1' WHERE connection_id = ?",
                oldVault.seal(id, "access_token", token), id);
        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo(token); // old keys still open

        assertThat(hub.post("/api/v1/admin/vault/re-encrypt", key, "").status()).isEqualTo(401);
        Response r = hub.post("/api/v1/admin/vault/re-encrypt", adminToken, "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("activeKeyId").asText()).isEqualTo("test-1");
        assertThat(r.json().path("reencrypted").asInt()).isGreaterThanOrEqualTo(1);

        byte[] sealed = jdbc.queryForObject("SELECT access_token_ct FROM credentials WHERE connection_id = ?", byte[].class, id);
        assertThat(io.integrationhub.platform.vault.Vault.keyIdOf(sealed)).isEqualTo("test-1");
        assertThat(jdbc.queryForObject("SELECT key_id FROM credentials WHERE connection_id = ?", String.class, id))
                .isEqualTo("test-1");
        assertThat(tokenManager.accessToken(tenantOf(key), id)).isEqualTo(token);
        assertThat(hub.post("/api/v1/admin/vault/re-encrypt", adminToken, "").json().path("reencrypted").asInt()).isZero();
    }

    @Test
    void shouldAnswerCheckAndReauthorizeFor404ForAnotherTenant() {
        String owner = newTenantKey();
        UUID id = connectXero(owner, "xero-at-" + UUID.randomUUID(), "xero-rt-" + UUID.randomUUID(), 1800);
        String other = newTenantKey();
        assertThat(hub.post("/api/v1/connections/" + id + "/check", other, "").status()).isEqualTo(404);
        assertThat(hub.post("/api/v1/connections/" + id + "/reauthorize", other, "").status()).isEqualTo(404);
        assertThat(hub.post("/api/v1/connections/" + id + "/reauthorize", owner, "{\"returnUrl\":\"https://evil.example/\"}")
                .status()).isEqualTo(400);
    }

}
