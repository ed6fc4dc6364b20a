package io.integrationhub.platform.dashboard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.integrationhub.provider.businesscentral.sandbox.BcODataService;
import io.integrationhub.support.Browser;
import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;

/**
 * The hub as the dashboard's browser tests see it (one application context for all of them): the in-process
 * provider sandbox for Microsoft, Xero and Square; HubSpot's OAuth and Business Central's OData API on
 * WireMock; the test families of {@link DashboardFakes}; one headless Chromium per test class.
 */
@Import(DashboardFakes.class)
public abstract class DashboardTestBase extends HubIntegrationTest {

    /**
     * The hub's port, taken from the OS before start-up rather than after: the consent pages send the browser
     * back to {@code hub.public-url}, which must name this hub before the context is built.
     */
    static final int PORT = freePort();
    static final String HUB_URL = "http://localhost:" + PORT;
    static final WireMockServer PROVIDER = new WireMockServer(options().dynamicPort());
    static final String BC_COMPANIES = "/bc/api/v2.0/companies";
    /** The path of BC's service root for the hub's BC family (online, environment production). */
    static final String BC_ROOT = "/bc/api/v2.0/production/api/v2.0";
    static final byte[] BC_METADATA = new BcODataService(1, authorization -> true)
            .handle("GET", "http://bc.test/v2.0/production/api/v2.0", "/$metadata", null,
                    java.util.Map.of("Accept", "application/xml"), null).body();

    static {
        PROVIDER.start();
        Runtime.getRuntime().addShutdownHook(new Thread(PROVIDER::stop));
    }

    @RegisterExtension
    static final Browser BROWSER = new Browser();

    @DynamicPropertySource
    static void hubWithProviderFakes(DynamicPropertyRegistry r) {
        r.add("server.port", () -> PORT);
        r.add("hub.public-url", () -> HUB_URL);
        r.add("hub.sandbox.enabled", () -> "true");
        for (String key : List.of("microsoft", "xero", "square")) {
            String base = HUB_URL + "/sandbox/" + key;
            r.add("hub.providers." + key + ".client-id", () -> "sandbox-client");
            r.add("hub.providers." + key + ".client-secret", () -> "sandbox-secret");
            r.add("hub.providers." + key + ".authorize-url", () -> base + "/authorize");
            r.add("hub.providers." + key + ".token-url", () -> base + "/token");
            r.add("hub.providers." + key + ".revoke-url", () -> base + "/revoke");
            r.add("hub.providers." + key + ".api-url", () -> base + "/api");
        }
        // every family has a sandbox now; an operator's empty client id leaves Google Drive "not configured"
        r.add("hub.providers.google-drive.client-id", () -> "");
        r.add("hub.providers.hubspot.client-id", () -> "hubspot-client-id");
        r.add("hub.providers.hubspot.client-secret", () -> "hubspot-client-secret");
        r.add("hub.providers.hubspot.authorize-url", () -> PROVIDER.baseUrl() + "/hubspot/authorize");
        r.add("hub.providers.hubspot.token-url", () -> PROVIDER.baseUrl() + "/hubspot/oauth/v1/token");
        r.add("hub.providers.hubspot.revoke-url", () -> PROVIDER.baseUrl() + "/hubspot/oauth/v1/refresh-tokens");
        r.add("hub.providers.hubspot.api-url", () -> PROVIDER.baseUrl() + "/hubspot/api");
        r.add("hub.providers.business-central.api-url", () -> PROVIDER.baseUrl() + "/bc/api/v2.0");
    }

    protected WebDriver driver;
    protected WebDriverWait wait;

    @BeforeEach
    void openBrowser() {
        PROVIDER.resetAll();
        DashboardFakes.SQUARE_API_UP.set(true);
        driver = BROWSER.driver();
        BROWSER.size(1280, 900);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class);
        // Clear the previous test's sign-in from a page of the same origin that does not run the app.
        driver.get(hub.baseUrl() + "/dashboard/styles.css");
        js("sessionStorage.clear()");
        driver.get(hub.baseUrl() + "/");
    }

    @AfterAll
    static void closeBrowser() {
        BROWSER.quit();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    protected void signIn(String key) {
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        field.clear();
        field.sendKeys(key, Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#catalog .card")));
    }

    protected WebElement card(String provider) {
        return driver.findElement(By.cssSelector(".card[data-provider='" + provider + "']"));
    }

    protected String cardState(String provider) {
        return card(provider).getAttribute("data-state");
    }

    protected WebElement button(String ariaLabel) {
        return wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button[aria-label=\"" + ariaLabel + "\"]")));
    }

    protected WebElement drawer() {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("drawer")));
    }

    protected void awaitToast(String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toasts"), text));
    }

    /** Opens the manage drawer of the provider's card and waits for its health check. */
    protected WebElement manage(String providerName) {
        button("Manage " + providerName).click();
        WebElement drawer = drawer();
        wait.until(d -> !d.findElement(By.id("health")).getText().startsWith("Checking"));
        return drawer;
    }

    /**
     * The identity call Business Central answers for one API key ({@code GET /companies}), and what the family's
     * camel-olingo4 reads at the online service root {@link #BC_ROOT} (the drawer's company panel): BC's
     * {@code $metadata} (Apache Olingo's, from {@link BcODataService}) and the same companies. Without them each
     * drawer's companies call failed and, over the dashboard tests, opened BC's circuit breaker.
     */
    protected static void businessCentralAccepts(String apiKey) {
        String companies = "\"value\":[{\"id\":\"c0ffee00-0000-4000-8000-000000000001\",\"systemVersion\":\"24.0\","
                + "\"name\":\"CRONUS UK Ltd.\",\"displayName\":\"CRONUS UK Ltd.\"}]}";
        PROVIDER.stubFor(get(urlPathEqualTo(BC_COMPANIES)).withHeader("Authorization", equalTo("Bearer " + apiKey))
                .willReturn(okJson("{\"@odata.context\":\"" + PROVIDER.baseUrl() + "/bc/api/v2.0/$metadata#companies\","
                        + companies)));
        PROVIDER.stubFor(get(urlPathEqualTo(BC_ROOT + "/$metadata")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/xml").withHeader("OData-Version", "4.0").withBody(BC_METADATA)));
        PROVIDER.stubFor(get(urlPathEqualTo(BC_ROOT + "/companies")).willReturn(okJson("{\"@odata.context\":\""
                + PROVIDER.baseUrl() + BC_ROOT + "/$metadata#companies\"," + companies)));
    }

    /** A Business Central connection made through the API (API-key flow); returns its id. */
    protected UUID connectBusinessCentral(String tenantKey) {
        String apiKey = "bc-key-" + UUID.randomUUID();
        businessCentralAccepts(apiKey);
        Response r = hub.post("/api/v1/connections", tenantKey,
                "{\"provider\":\"business-central\",\"credentials\":{\"apiKey\":\"" + apiKey + "\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return UUID.fromString(r.json().path("id").asText());
    }

    /**
     * A connection made the way a user's browser makes it, over plain HTTP: create, the sandbox's consent page,
     * Approve, back to the hub's callback. Returns its id.
     */
    protected UUID connectThroughSandbox(String tenantKey, String provider) {
        UUID id = consentThroughSandbox(tenantKey, provider, "approve");
        assertThat(hub.get("/api/v1/connections/" + id, tenantKey).json().path("status").asText()).isEqualTo("active");
        return id;
    }

    /** As {@link #connectThroughSandbox}, the user clicking {@code approve} or {@code deny}. */
    protected UUID consentThroughSandbox(String tenantKey, String provider, String decision) {
        Response created = hub.post("/api/v1/connections", tenantKey, "{\"provider\":\"" + provider + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response consent = hub.send(HttpRequest.newBuilder(URI.create(created.json().path("authorizeUrl").asText())).GET().build());
        Matcher link = Pattern.compile("id=\"" + decision + "\" href=\"([^\"]+)\"").matcher(consent.body());
        assertThat(link.find()).as(consent.body()).isTrue();
        Response decided = hub.get(link.group(1).replace("&amp;", "&"), null);
        assertThat(decided.status()).isEqualTo(302);
        Response done = hub.send(HttpRequest.newBuilder(URI.create(decided.header("Location"))).GET().build());
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        return UUID.fromString(created.json().path("id").asText());
    }

    /**
     * An OData collection of {@code total} objects in pages of {@code pageSize} ({@code $skip} in the next
     * links, {@code @odata.count} on every page), each page answered after {@code delayMs}.
     */
    protected static void odataPages(String collection, int total, int pageSize, int delayMs, IntFunction<String> item) {
        String path = BC_COMPANIES + "(1)/" + collection;
        for (int skip = 0; skip < total; skip += pageSize) {
            StringBuilder value = new StringBuilder();
            for (int i = skip; i < Math.min(total, skip + pageSize); i++) {
                value.append(i > skip ? "," : "").append(item.apply(i));
            }
            String next = skip + pageSize < total
                    ? ",\"@odata.nextLink\":\"" + PROVIDER.baseUrl() + path + "?$count=true&$skip=" + (skip + pageSize) + "\"" : "";
            PROVIDER.stubFor(get(urlPathEqualTo(path))
                    .withQueryParam("$skip", skip == 0 ? absent() : equalTo(String.valueOf(skip)))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withFixedDelay(delayMs)
                            .withBody("{\"@odata.context\":\"" + PROVIDER.baseUrl() + "/bc/api/v2.0/$metadata#" + collection + "\","
                                    + "\"@odata.count\":" + total + ",\"value\":[" + value + "]" + next + "}")));
        }
    }

    protected static String customer(int i, String name) {
        return "{\"id\":\"C-" + i + "\",\"number\":\"" + (10000 + i) + "\",\"displayName\":\"" + name + "\","
                + "\"email\":\"buyer" + i + "@example.com\",\"lastModifiedDateTime\":\"2026-03-0" + (1 + i % 9) + "T10:00:00Z\"}";
    }
}
