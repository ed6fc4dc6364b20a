package io.integrationhub.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchWindowException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import io.integrationhub.support.HubClient.Response;

/**
 * The dashboard of a connect session framed by a host application's page, in Chromium. The host page is served by a
 * loopback HTTP server on its own port: as {@code http://localhost:<port>} it is the tenant's configured embed origin,
 * as {@code http://127.0.0.1:<port>} another origin. The session shows one end user's cards, and the popup connect
 * flow and the danger zone work from inside the frame.
 */
class EmbeddedDashboardTest extends DashboardTestBase {

    private static final HttpServer HOST = hostApplication();

    @AfterAll
    static void stopHost() {
        HOST.stop(0);
    }

    /** A host application page framing {@code ?src=}; the frame's title says when it has loaded. */
    private static HttpServer hostApplication() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(0), 0);
            server.createContext("/integrations", exchange -> {
                String query = exchange.getRequestURI().getRawQuery();
                String src = URLDecoder.decode(query.substring("src=".length()), StandardCharsets.UTF_8);
                byte[] page = ("<!doctype html><html><head><title>Host app</title></head><body><h1>Host app</h1>"
                        + "<iframe id=\"hub\" title=\"Integrations\" width=\"1100\" height=\"800\" src=\""
                        + src.replace("&", "&amp;").replace("\"", "&quot;") + "\"></iframe></body></html>")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, page.length);
                exchange.getResponseBody().write(page);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hostPage(String host, String sessionUrl) {
        return "http://" + host + ":" + HOST.getAddress().getPort() + "/integrations?src="
                + URLEncoder.encode(sessionUrl, StandardCharsets.UTF_8);
    }

    /** A tenant whose dashboard may be framed by {@code http://localhost:<host port>}; returns its API key. */
    private String tenantEmbeddedByHost() {
        JsonNode tenant = newTenant();
        Response set = hub.patch("/api/v1/tenants/" + tenant.path("id").asText(), adminToken,
                "{\"embedOrigins\":[\"http://localhost:" + HOST.getAddress().getPort() + "\"]}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        return tenant.path("apiKey").asText();
    }

    private JsonNode session(String key, String body) {
        Response r = hub.post("/api/v1/connect-sessions", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    /** Loads the host page (the frame has loaded when the page has) and enters the frame. */
    private void openInHost(String host, String sessionUrl) {
        driver.get(hostPage(host, sessionUrl));
        driver.switchTo().frame("hub");
    }

    @Test
    void shouldShowOnlyTheEndUsersCardsAndConnectThroughThePopupFromTheFrame() {
        String key = tenantEmbeddedByHost();
        // Another end user of the same tenant already connected Xero.
        String other = session(key, "{\"endUser\":{\"id\":\"user-b\"}}").path("token").asText();
        java.util.UUID othersXero = connectThroughSandbox(other, "xero");
        JsonNode created = session(key, "{\"endUser\":{\"id\":\"user-a\",\"displayName\":\"Ann\"},"
                + "\"providers\":[\"xero\",\"square\"]}");

        openInHost("localhost", created.path("url").asText());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#catalog .card")));
        assertThat(driver.findElements(By.cssSelector("#catalog .card"))).extracting(c -> c.getAttribute("data-provider"))
                .containsExactlyInAnyOrder("xero", "square");
        assertThat(driver.findElement(By.id("session-user")).getText()).isEqualTo("Connections of Ann");
        assertThat(cardState("xero")).as("user-b's Xero is not Ann's").isEqualTo("not-connected");
        assertThat(driver.findElement(By.id("sign-in")).isDisplayed()).isFalse();

        // Connect Xero through the consent popup opened from inside the frame.
        String top = driver.getWindowHandle();
        Set<String> before = driver.getWindowHandles();
        button("Connect Xero").click();
        wait.until(d -> d.getWindowHandles().size() > before.size());
        driver.switchTo().window(driver.getWindowHandles().stream().filter(h -> !before.contains(h)).findFirst().orElseThrow());
        WebElement approve = wait.until(ExpectedConditions.elementToBeClickable(By.id("approve")));
        try {
            approve.click();
        } catch (NoSuchWindowException closedWhileClicking) {
            // the callback page closed the popup before the click's bookkeeping finished
        }
        wait.until(d -> d.getWindowHandles().size() == 1);
        driver.switchTo().window(top);
        driver.switchTo().frame("hub");
        wait.until(d -> "connected".equals(cardState("xero")));
        assertThat(card("xero").getText()).contains("Connected as Sandbox Company (NZ)");

        JsonNode anns = hub.get("/api/v1/connections?endUserId=user-a", key).json();
        assertThat(anns).hasSize(1);
        assertThat(anns.get(0).path("status").asText()).isEqualTo("active");
        String annsXero = anns.get(0).path("id").asText();

        // The danger zone inside the frame disconnects Ann's connection, and only hers.
        manage("Xero");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("disconnect"))).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("confirm-ok"))).click();
        wait.until(d -> "not-connected".equals(cardState("xero")));
        assertThat(hub.get("/api/v1/connections/" + annsXero, key).json().path("status").asText()).isEqualTo("disconnected");
        assertThat(hub.get("/api/v1/connections/" + othersXero, key).json().path("status").asText()).isEqualTo("active");
        assertThat(driver.findElements(By.id("dead-letters"))).as("tenant-wide activity is not shown").isEmpty();
    }

    @Test
    void shouldRefuseToRenderInsideAPageOfAnotherOrigin() {
        String key = tenantEmbeddedByHost();
        String url = session(key, "{\"endUser\":{\"id\":\"user-a\"}}").path("url").asText();

        // The configured origin gets the dashboard ...
        openInHost("localhost", url);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#catalog .card")));

        // ... the same page from another origin gets a frame the browser refused to fill.
        openInHost("127.0.0.1", url);
        assertThat(driver.findElements(By.id("catalog"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("script[src='/dashboard/app.js']"))).isEmpty();
        driver.switchTo().defaultContent();
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Host app");
    }

    @Test
    void shouldRefuseToRenderInAnyFrameForATenantWithoutEmbedOrigins() {
        String url = session(newTenantKey(), "{\"endUser\":{\"id\":\"user-a\"}}").path("url").asText();

        openInHost("localhost", url);
        assertThat(driver.findElements(By.id("catalog"))).isEmpty();

        // Opened as a page of its own, the same link works.
        driver.switchTo().defaultContent();
        driver.get(url);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#catalog .card")));
    }
}
