package io.integrationhub.platform.dashboard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchWindowException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Connect through the consent popup, as a tenant admin does: approved (the in-process provider sandbox),
 * denied, and a grant that dies later (HubSpot on WireMock answering {@code invalid_grant}) and is renewed
 * through Reconnect. The page is never reloaded: the callback page tells its opener and closes itself.
 */
class DashboardConnectTest extends DashboardTestBase {

    @Autowired
    JdbcTemplate jdbc;

    /** Clicks a button that opens the consent popup, switches to the popup and returns the dashboard's window. */
    private String openPopup(String buttonLabel) {
        String dashboard = driver.getWindowHandle();
        Set<String> before = driver.getWindowHandles();
        button(buttonLabel).click();
        wait.until(d -> d.getWindowHandles().size() > before.size());
        String popup = driver.getWindowHandles().stream().filter(h -> !before.contains(h)).findFirst().orElseThrow();
        driver.switchTo().window(popup);
        return dashboard;
    }

    /** Clicks the consent page's link; the popup closes itself once the hub's callback page has run. */
    private void decideAndAwaitClose(String linkId, String dashboard) {
        WebElement link = wait.until(ExpectedConditions.elementToBeClickable(By.id(linkId)));
        try {
            link.click();
        } catch (NoSuchWindowException closedWhileClicking) {
            // the callback page was quicker than the click's own bookkeeping
        }
        wait.until(d -> d.getWindowHandles().size() == 1);
        driver.switchTo().window(dashboard);
    }

    private void recordMessagesAndMarkThePage() {
        js("window.__noReload = 'same page'; window.__messages = [];"
                + "window.addEventListener('message', (e) => window.__messages.push(e.data));");
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> messages() {
        return (List<Map<String, Object>>) js("return window.__messages;");
    }

    @Test
    void shouldConnectThroughThePopupAndTurnTheCardConnectedWithoutReloadingThePage() {
        String key = newTenantKey();
        signIn(key);
        recordMessagesAndMarkThePage();

        String dashboard = openPopup("Connect Xero");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("approve")));
        assertThat(driver.getCurrentUrl()).startsWith(HUB_URL + "/sandbox/xero/authorize?");
        assertThat(driver.findElement(By.tagName("body")).getText()).contains("accounting.transactions");
        driver.switchTo().window(dashboard);
        wait.until(d -> "pending".equals(cardState("xero")));
        assertThat(card("xero").getText()).contains("Waiting for consent");
        driver.switchTo().window(driver.getWindowHandles().stream().filter(h -> !h.equals(dashboard)).findFirst().orElseThrow());

        decideAndAwaitClose("approve", dashboard);

        wait.until(d -> "connected".equals(cardState("xero")));
        assertThat(card("xero").getText()).contains("Connected as Sandbox Company (NZ)");
        awaitToast("Xero is connected.");
        assertThat(js("return window.__noReload")).isEqualTo("same page");
        JsonNode connections = hub.get("/api/v1/connections", key).json();
        assertThat(connections).hasSize(1);
        assertThat(connections.get(0).path("status").asText()).isEqualTo("active");
        assertThat(messages()).containsExactly(Map.of("type", "integration-hub.connection",
                "connectionId", connections.get(0).path("id").asText(), "status", "active"));
    }

    @Test
    void shouldShowTheReasonOnTheCardWhenTheConsentIsDenied() {
        String key = newTenantKey();
        signIn(key);
        recordMessagesAndMarkThePage();

        String dashboard = openPopup("Connect Microsoft OneDrive");
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("deny"))).isDisplayed()).isTrue();
        decideAndAwaitClose("deny", dashboard);

        wait.until(d -> "error".equals(cardState("onedrive")));
        WebElement card = card("onedrive");
        assertThat(card.findElement(By.cssSelector(".status .label")).getText()).isEqualTo("Error");
        assertThat(card.findElement(By.cssSelector(".reason")).getText())
                .isEqualTo("authorization failed: access_denied: The user denied access in the sandbox");
        assertThat(card.findElement(By.cssSelector("button[aria-label='Reconnect Microsoft OneDrive']")).isDisplayed()).isTrue();
        awaitToast("Microsoft OneDrive was not connected: authorization failed: access_denied");
        assertThat(js("return window.__noReload")).isEqualTo("same page");
        JsonNode c = hub.get("/api/v1/connections", key).json().get(0);
        assertThat(c.path("status").asText()).isEqualTo("error");
        assertThat(messages()).extracting(m -> m.get("status")).containsExactly("error");
    }

    /** HubSpot's install page, approving at once: back to the hub's callback with {@code code} and the state. */
    private static void hubspotConsent(String code, String accessToken) {
        PROVIDER.stubFor(get(urlPathEqualTo("/hubspot/authorize")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html; charset=utf-8").withTransformers("response-template")
                .withBody("<!doctype html><html><head><title>HubSpot</title></head><body><h1>Connect to HubSpot</h1>"
                        + "<p>Scopes: {{request.query.scope}}</p><a id=\"approve\" href=\"{{request.query.redirect_uri}}?code="
                        + code + "&amp;state={{request.query.state}}\">Connect app</a></body></html>")));
        PROVIDER.stubFor(post(urlPathEqualTo("/hubspot/oauth/v1/token")).withRequestBody(containing("code=" + code))
                .willReturn(okJson("{\"token_type\":\"bearer\",\"refresh_token\":\"rt-" + accessToken + "\",\"access_token\":\""
                        + accessToken + "\",\"expires_in\":1800}")));
    }

    @Test
    void shouldAskForReauthorizationAfterInvalidGrantAndReconnectThroughThePopup() {
        String key = newTenantKey();
        PROVIDER.stubFor(get(urlPathEqualTo("/hubspot/api/account-info/v3/details")).willReturn(okJson(
                "{\"portalId\":62515,\"accountType\":\"STANDARD\",\"timeZone\":\"US/Eastern\",\"companyCurrency\":\"USD\","
                        + "\"uiDomain\":\"app.hubspot.com\",\"dataHostingLocation\":\"na1\"}")));
        // The user uninstalled the app in HubSpot: the refresh token is dead.
        PROVIDER.stubFor(post(urlPathEqualTo("/hubspot/oauth/v1/token")).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token is invalid, expired or revoked\","
                                + "\"status\":\"BAD_REFRESH_TOKEN\",\"message\":\"refresh token is invalid, expired or revoked\"}")));
        hubspotConsent("hs-code-1", "hs-at-1");
        signIn(key);
        recordMessagesAndMarkThePage();
        decideAndAwaitClose("approve", openPopup("Connect HubSpot"));
        wait.until(d -> "connected".equals(cardState("hubspot")));
        UUID id = UUID.fromString(hub.get("/api/v1/connections", key).json().get(0).path("id").asText());

        // Half an hour later the access token has expired; opening Manage runs the health check, which must refresh.
        jdbc.update("UPDATE credentials SET expires_at = CURRENT_TIMESTAMP - INTERVAL '1 minute' WHERE connection_id = ?", id);
        manage("HubSpot");
        assertThat(driver.findElement(By.id("health")).getText()).startsWith("Unhealthy: Re-authorization needed");
        wait.until(ExpectedConditions.textToBe(By.id("account-status"), "Re-authorization required"));
        driver.findElement(By.id("drawer-close")).click();

        wait.until(d -> "error".equals(cardState("hubspot")));
        WebElement card = card("hubspot");
        assertThat(card.findElement(By.cssSelector(".status .label")).getText()).isEqualTo("Re-authorization required");
        assertThat(card.findElement(By.cssSelector(".reason")).getText()).contains("invalid_grant");
        PROVIDER.verify(1, postRequestedFor(urlPathEqualTo("/hubspot/oauth/v1/token")).withRequestBody(containing("grant_type=refresh_token")));

        hubspotConsent("hs-code-2", "hs-at-2");
        String dashboard = openPopup("Reconnect HubSpot");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("approve")));
        assertThat(driver.getCurrentUrl()).startsWith(PROVIDER.baseUrl() + "/hubspot/authorize?").contains("client_id=hubspot-client-id")
                .contains("state=");
        decideAndAwaitClose("approve", dashboard);

        wait.until(d -> "connected".equals(cardState("hubspot")));
        assertThat(card("hubspot").getText()).contains("Connected as app.hubspot.com");
        assertThat(js("return window.__noReload")).isEqualTo("same page");
        JsonNode connections = hub.get("/api/v1/connections", key).json();
        assertThat(connections).hasSize(1);
        assertThat(connections.get(0).path("id").asText()).isEqualTo(id.toString());
        assertThat(connections.get(0).path("status").asText()).isEqualTo("active");
    }
}
