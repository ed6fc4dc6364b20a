package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;

/**
 * The production set-up of the operations console: Hawtio and Jolokia behind the admin login, the rest
 * of the hub exactly as without it. One extra application context (the login switched on).
 */
@TestPropertySource(properties = {
        "hub.ops.admin-login-enabled=true",
        "hub.ops.admin-user=" + HawtioAdminLoginTest.ADMIN,
        "hub.ops.admin-password=" + HawtioAdminLoginTest.PASSWORD})
class HawtioAdminLoginTest extends HubIntegrationTest {

    static final String ADMIN = "ops-admin";
    static final String PASSWORD = "correct-horse-battery-staple";
    private static final String ROUTE_SEARCH = "/actuator/jolokia/search/org.apache.camel:type=routes,*";

    @Test
    void shouldRefuseJolokiaWithoutLogin() {
        Response r = hub.get(ROUTE_SEARCH, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("api.listConnections");
    }

    @Test
    void shouldRefuseJolokiaWithAWrongPasswordOrATenantKey() {
        assertThat(hub.send(basic(ROUTE_SEARCH, ADMIN, "wrong-password-123")).status()).isEqualTo(401);
        assertThat(hub.get(ROUTE_SEARCH, newTenantKey()).status()).isEqualTo(401);
        assertThat(hub.get(ROUTE_SEARCH, adminToken).status()).isEqualTo(401);
    }

    @Test
    void shouldSendABrowserToTheLoginPageInsteadOfHawtio() {
        Response r = hub.send(hub.request("/actuator/hawtio/", null).header("Accept", "text/html").GET().build());
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).endsWith("/login");
    }

    @Test
    void shouldListTheCamelRouteMBeansToTheAdmin() {
        Response r = hub.send(basic(ROUTE_SEARCH, ADMIN, PASSWORD));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("name=\\\"api.listConnections\\\"").contains("name=\\\"platform.dead-letters\\\"");
    }

    @Test
    void shouldLetTheAdminLogInThroughTheFormAndDriveCamelLikeTheConsole() throws Exception {
        CookieManager cookies = new CookieManager();
        HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        HubClient console = new HubClient(hub.baseUrl());

        // Spring Security's login page carries the CSRF token the form must send back.
        String loginPage = browser.send(HttpRequest.newBuilder(uri("/login")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(loginPage);
        assertThat(csrf.find()).as("CSRF field on the login page").isTrue();
        var login = browser.send(HttpRequest.newBuilder(uri("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + ADMIN + "&password=" + enc(PASSWORD)
                        + "&_csrf=" + enc(csrf.group(1)))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).endsWith("/actuator/hawtio/");

        Response page = console.send(withCookies(HttpRequest.newBuilder(uri("/actuator/hawtio/")), cookies).GET().build());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).containsIgnoringCase("hawtio");

        // Hawtio's front end posts to Jolokia with the XSRF-TOKEN cookie echoed as a header.
        String route = "org.apache.camel:context=integration-hub,type=routes,name=\"api.listProviders\"";
        String exec = "{\"type\":\"exec\",\"mbean\":" + json(route) + ",\"operation\":\"dumpRouteAsXml()\"}";
        Response withoutToken = console.send(withCookies(HttpRequest.newBuilder(uri("/actuator/jolokia")), cookies)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(exec)).build());
        assertThat(withoutToken.status()).isEqualTo(403);

        String xsrf = cookie(cookies, "XSRF-TOKEN");
        JsonNode dumped = jolokiaPost(console, cookies, xsrf, exec);
        assertThat(dumped.path("status").asInt()).isEqualTo(200);
        assertThat(dumped.path("value").asText()).contains("api.listProviders");

        // The access policy: no operations outside Camel, even for the admin.
        JsonNode gc = jolokiaPost(console, cookies, xsrf, "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc()\"}");
        assertThat(gc.path("status").asInt()).isEqualTo(403);
        JsonNode props = jolokiaPost(console, cookies, xsrf,
                "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"SystemProperties\"}");
        assertThat(props.path("status").asInt()).isEqualTo(403);
    }

    @Test
    void shouldLeaveTheApiWebhooksHealthAndMetricsAsTheyAre() {
        String key = newTenantKey();
        Response providers = hub.get("/api/v1/providers", key);
        assertThat(providers.status()).isEqualTo(200);
        assertThat(providers.header("Set-Cookie")).isNull();
        assertThat(providers.header("WWW-Authenticate")).isNull();
        assertThat(providers.header("Cache-Control")).as("no Spring Security headers on the API").isNull();
        assertThat(providers.header("X-Frame-Options")).as("the hub's own security headers").isEqualTo("DENY");

        // A POST without any CSRF token still reaches the API's own validation.
        Response malformed = hub.post("/api/v1/tenants", adminToken, "{not json");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");

        Response noKey = hub.get("/api/v1/connections", null);
        assertThat(noKey.status()).isEqualTo(401);
        assertThat(noKey.header("WWW-Authenticate")).startsWith("Bearer");

        assertThat(hub.get("/actuator/health/readiness", null).status()).isEqualTo(200);
        assertThat(hub.get("/actuator/prometheus", null).status()).isEqualTo(200);
        assertThat(hub.get("/api/v1/openapi.yaml", null).status()).isEqualTo(200);
        assertThat(hub.get("/login", null).status()).as("the login page is the console's only").isEqualTo(200);
    }

    private JsonNode jolokiaPost(HubClient console, CookieManager cookies, String xsrf, String body) {
        Response r = console.send(withCookies(HttpRequest.newBuilder(uri("/actuator/jolokia")), cookies)
                .header("Content-Type", "application/json").header("X-XSRF-TOKEN", xsrf)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private HttpRequest basic(String path, String user, String password) {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Basic " + credentials).GET().build();
    }

    private static HttpRequest.Builder withCookies(HttpRequest.Builder b, CookieManager cookies) {
        StringBuilder header = new StringBuilder();
        for (HttpCookie c : cookies.getCookieStore().getCookies()) {
            header.append(header.isEmpty() ? "" : "; ").append(c.getName()).append('=').append(c.getValue());
        }
        return b.header("Cookie", header.toString());
    }

    private static String cookie(CookieManager cookies, String name) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue).findFirst().orElseThrow(() -> new AssertionError("no cookie " + name));
    }

    private URI uri(String path) {
        return URI.create(hub.baseUrl() + path);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
