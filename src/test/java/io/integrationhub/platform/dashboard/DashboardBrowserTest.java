package io.integrationhub.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.tenancy.TenantService;
import io.integrationhub.support.Browser;
import io.integrationhub.support.HubIntegrationTest;

/** The integrations dashboard in a real (headless) Chromium against the running hub. */
class DashboardBrowserTest extends HubIntegrationTest {

    @RegisterExtension
    static final Browser BROWSER = new Browser();

    @Autowired
    ConnectionRepository connections;
    @Autowired
    TenantService tenants;
    @Autowired
    ObjectMapper mapper;

    WebDriver driver;
    WebDriverWait wait;

    @BeforeEach
    void openBrowser() {
        driver = BROWSER.driver();
        BROWSER.size(1280, 900);
        wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        wait.ignoring(StaleElementReferenceException.class);
        // Clear the previous test's sign-in from a page of the same origin that does not run the app.
        driver.get(hub.baseUrl() + "/dashboard/styles.css");
        ((JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
        driver.get(hub.baseUrl() + "/");
    }

    @AfterAll
    static void closeBrowser() {
        BROWSER.quit();
    }

    private void signIn(String key) {
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        field.clear();
        field.sendKeys(key, Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#catalog .card")));
    }

    private WebElement card(String provider) {
        return driver.findElement(By.cssSelector(".card[data-provider='" + provider + "']"));
    }

    private UUID connected(String apiKey, String provider) {
        UUID tenant = tenants.tenantForKey(apiKey).orElseThrow();
        UUID id = connections.insert(tenant, provider, "Cronus", ConnectionStatus.ACTIVE, List.of(), mapper.createObjectNode()).id();
        connections.updateAccount(tenant, id, new Connection.Account("acc-1", "Cronus Ltd", "ops@cronus.example"), List.of());
        return id;
    }

    @Test
    void shouldSignInAndShowTheCatalogGroupedByCategory() {
        signIn(newTenantKey());

        List<WebElement> cards = driver.findElements(By.cssSelector("#catalog .card"));
        assertThat(cards).hasSize(9);
        List<String> categories = driver.findElements(By.cssSelector("#catalog .category h2")).stream().map(WebElement::getText).toList();
        assertThat(categories).contains("FILES", "ACCOUNTING", "CRM");
        WebElement xero = card("xero");
        assertThat(xero.getAttribute("data-state")).isEqualTo("not-configured");
        assertThat(xero.getText()).contains("Not configured").contains("hub.providers.xero.client-id");
        assertThat(xero.findElement(By.tagName("button")).isEnabled()).isFalse();
        assertThat(card("business-central").getText()).contains("Not connected");
    }

    @Test
    void shouldRejectAWrongKeyWithAMessage() {
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        field.sendKeys("ihk_wrong", Keys.ENTER);
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-error")));
        assertThat(error.getText()).contains("not valid");
        assertThat(driver.findElement(By.id("catalog")).isDisplayed()).isFalse();
    }

    @Test
    void shouldShowAConnectedCardAndManageItsSchedules() {
        String key = newTenantKey();
        UUID id = connected(key, "business-central");
        signIn(key);

        WebElement card = card("business-central");
        assertThat(card.getAttribute("data-state")).isEqualTo("connected");
        assertThat(card.getText()).contains("Connected as ops@cronus.example");
        card.findElement(By.xpath(".//button[text()='Manage']")).click();

        WebElement drawer = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("drawer")));
        assertThat(drawer.getText()).contains("Cronus Ltd").contains("customer").contains("invoice");
        wait.until(d -> !d.findElement(By.id("health")).getText().startsWith("Checking"));

        WebElement schedule = drawer.findElement(By.cssSelector("input[aria-label='Schedule for customer']"));
        schedule.sendKeys("PT30M");
        drawer.findElement(By.cssSelector("button[aria-label='Save schedule for customer']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toasts"), "Schedule for customer saved"));
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("config").path("schedules").path("customer").asText())
                .isEqualTo("PT30M");

        schedule.clear();
        schedule.sendKeys("every now and then");
        drawer.findElement(By.cssSelector("button[aria-label='Save schedule for customer']")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".toast.error")));
        assertThat(error.getText()).contains("not valid");
    }

    @Test
    void shouldDisconnectThroughTheDangerZoneAfterConfirmation() {
        String key = newTenantKey();
        UUID id = connected(key, "business-central");
        signIn(key);
        card("business-central").findElement(By.xpath(".//button[text()='Manage']")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("disconnect"))).click();

        WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
        assertThat(confirm.getText()).contains(
                "This will stop all data synchronization. Historical data imported will be preserved.");
        driver.findElement(By.id("confirm-ok")).click();

        wait.until(d -> "not-connected".equals(card("business-central").getAttribute("data-state")));
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("status").asText()).isEqualTo("disconnected");
    }

    @Test
    void shouldFitAPhoneScreenWithoutSidewaysScrolling() {
        BROWSER.size(390, 844);
        signIn(newTenantKey());
        Long overflow = (Long) ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow).isLessThanOrEqualTo(0L);
        assertThat(card("onedrive").isDisplayed()).isTrue();
    }

    @Test
    void shouldOpenManageFromTheKeyboard() {
        String key = newTenantKey();
        connected(key, "business-central");
        signIn(key);
        WebElement manage = card("business-central").findElement(By.cssSelector("button[aria-label='Manage Dynamics 365 Business Central (OData v4)']"));
        manage.sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("drawer")));
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("drawer")));
    }
}
