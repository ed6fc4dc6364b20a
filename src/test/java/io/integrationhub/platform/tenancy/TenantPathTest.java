package io.integrationhub.platform.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;

/**
 * The tenant filter decides on the path the request is routed by (decoded and normalised), not on the raw
 * URI; the tenant header is never the caller's; no error answer carries what the caller sent.
 */
class TenantPathTest extends HubIntegrationTest {

    private static final String SCRIPT = "<script>alert(1)</script>";

    private Response send(String method, String path, String token, String contentType, String body) {
        HttpRequest.Builder b = hub.request(path, token).header("X-Probe", SCRIPT)
                .header("HubTenantId", "00000000-0000-0000-0000-000000000000");
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return hub.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static void assertNothingEchoed(Response r, String token) {
        Map<String, ?> headers = r.raw().headers().map();
        assertThat(headers).doesNotContainKeys("x-probe", "authorization", "hubtenantid", "user-agent");
        assertThat(headers.toString()).doesNotContain(SCRIPT);
        if (token != null) {
            assertThat(headers.toString()).doesNotContain(token);
        }
        assertThat(r.body()).doesNotContain("<script>").doesNotContain("alert(1)");
    }

    @Test
    void shouldAskForAKeyOnAPercentEncodedApiPath() {
        Response r = send("GET", "/%61pi/v1/providers", null, null, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertNothingEchoed(r, null);

        assertThat(send("GET", "/api/v1/%63onnections", null, null, null).status()).isEqualTo(401);
        assertThat(send("GET", "/API/v1/connections", null, null, null).status()).isEqualTo(401);
    }

    @Test
    void shouldKeepTenantManagementForTheAdminOnAnEncodedPath() {
        String tenantKey = newTenantKey();
        Response r = send("POST", "/api/v1/%74enants", tenantKey, "application/json", "{\"name\":\"" + SCRIPT + "\"}");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("admin token");
        assertNothingEchoed(r, tenantKey);
    }

    @Test
    void shouldNotEchoHeadersOrBodyWhenAnEncodedPathReachesNoOperation() {
        String key = newTenantKey();
        Response get = send("GET", "/%61pi/v1/providers", key, null, null);
        assertThat(get.status()).isEqualTo(404);
        assertThat(get.contentType()).startsWith("application/problem+json");
        assertNothingEchoed(get, key);

        Response post = send("POST", "/%61pi/v1/tenants", adminToken, "application/json", "{\"name\":\"" + SCRIPT + "\"}");
        assertThat(post.status()).isEqualTo(404);
        assertThat(post.contentType()).startsWith("application/problem+json");
        assertNothingEchoed(post, adminToken);
        assertThat(post.body()).doesNotContain("name");
    }

    @Test
    void shouldStillAnswerThePlainPathAndThePublicContract() {
        String key = newTenantKey();
        Response providers = send("GET", "/api/v1/providers", key, null, null);
        assertThat(providers.status()).isEqualTo(200);
        assertThat(providers.json().size()).as("every catalog entry: the Microsoft three and the nine families").isEqualTo(12);
        assertNothingEchoed(providers, key);
        assertThat(send("GET", "/api/v1/openapi.yaml", null, null, null).status()).isEqualTo(200);
        // Outside the API, a caller-sent tenant header or parameter reaches nothing and comes back nowhere.
        Response webhook = send("POST", "/webhooks/nothing?HubTenantId=00000000-0000-0000-0000-000000000000", null,
                "text/html", "<h1>" + SCRIPT + "</h1>");
        assertThat(webhook.status()).isEqualTo(404);
        assertNothingEchoed(webhook, null);
    }
}
