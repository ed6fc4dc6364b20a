package io.integrationhub.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The integrations dashboard in a real (headless) Chromium against the running hub: sign-in, catalog, drawer basics. */
class DashboardBrowserTest extends DashboardTestBase {

    @Test
    void shouldSignInAndShowTheCatalogGroupedByCategory() {
        signIn(newTenantKey());

        List<WebElement> cards = driver.findElements(By.cssSelector("#catalog .card"));
        assertThat(cards).as("every catalog entry: the Microsoft three and the nine families").hasSize(12);
        List<String> categories = driver.findElements(By.cssSelector("#catalog .category h2")).stream().map(WebElement::getText).toList();
        assertThat(categories).contains("FILES", "ACCOUNTING", "CRM");
        WebElement drive = card("google-drive");
        assertThat(drive.getAttribute("data-state")).isEqualTo("not-configured");
        assertThat(drive.getText()).contains("Not configured").contains("hub.providers.google-drive.client-id");
        assertThat(drive.findElement(By.tagName("button")).isEnabled()).isFalse();
        assertThat(card("business-central").getText()).contains("Not connected");
        assertThat(card("xero").getText()).contains("Not connected");
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
        UUID id = connectBusinessCentral(key);
        signIn(key);

        WebElement card = card("business-central");
        assertThat(card.getAttribute("data-state")).isEqualTo("connected");
        assertThat(card.getText()).contains("Connected as CRONUS UK Ltd.");
        WebElement drawer = manage("Dynamics 365 Business Central (OData v4)");
        assertThat(drawer.getText()).contains("CRONUS UK Ltd.").contains("c0ffee00-0000-4000-8000-000000000001")
                .contains("customer").contains("invoice");
        assertThat(driver.findElement(By.id("health")).getText()).startsWith("Healthy: Connected as CRONUS UK Ltd.");
        assertThat(drawer.getText()).doesNotContain("bc-key-");

        WebElement schedule = drawer.findElement(By.cssSelector("input[aria-label='Schedule for customer']"));
        schedule.sendKeys("PT30M");
        button("Save schedule for customer").click();
        awaitToast("Schedule for customer saved");
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("config").path("schedules").path("customer").asText())
                .isEqualTo("PT30M");

        schedule.clear();
        schedule.sendKeys("every now and then");
        button("Save schedule for customer").click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".toast.error")));
        assertThat(error.getText()).contains("not valid");
    }

    @Test
    void shouldDisconnectThroughTheDangerZoneAfterConfirmation() {
        String key = newTenantKey();
        UUID id = connectBusinessCentral(key);
        signIn(key);
        manage("Dynamics 365 Business Central (OData v4)");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("disconnect"))).click();

        WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
        assertThat(confirm.getText()).contains(
                "This will stop all data synchronization. Historical data imported will be preserved.");
        driver.findElement(By.id("confirm-ok")).click();

        wait.until(d -> "not-connected".equals(cardState("business-central")));
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("status").asText()).isEqualTo("disconnected");
    }

    @Test
    void shouldFitAPhoneScreenWithoutSidewaysScrolling() {
        String key = newTenantKey();
        connectBusinessCentral(key);
        BROWSER.size(390, 844);
        signIn(key);
        assertThat((Long) js("return document.documentElement.scrollWidth - window.innerWidth;")).isLessThanOrEqualTo(0L);
        assertThat(card("onedrive").isDisplayed()).isTrue();

        WebElement drawer = manage("Dynamics 365 Business Central (OData v4)");
        assertThat(drawer.getRect().getWidth()).isLessThanOrEqualTo(390);
        assertThat((Long) js("const d = document.getElementById('drawer'); return d.scrollWidth - d.clientWidth;"))
                .isLessThanOrEqualTo(0L);
    }

    @Test
    void shouldOpenManageFromTheKeyboard() {
        String key = newTenantKey();
        connectBusinessCentral(key);
        signIn(key);
        WebElement manage = card("business-central").findElement(By.cssSelector("button[aria-label='Manage Dynamics 365 Business Central (OData v4)']"));
        manage.sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("drawer")));
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("drawer")));
        // Focus is back on the card's Manage button, also after the catalog is re-rendered (the health check reloads it).
        wait.until(d -> "Manage Dynamics 365 Business Central (OData v4)".equals(d.switchTo().activeElement().getAttribute("aria-label")));
        wait.until(d -> !d.findElement(By.id("health")).getText().startsWith("Checking"));
        assertThat(driver.switchTo().activeElement().getAttribute("aria-label"))
                .isEqualTo("Manage Dynamics 365 Business Central (OData v4)");
    }

    @Test
    void shouldConnectAnApiKeyProviderWithAKeyFormAndShowTheProvidersRefusal() {
        String key = newTenantKey();
        businessCentralAccepts("the-right-key");
        signIn(key);

        button("Connect Dynamics 365 Business Central (OData v4)").click();
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("provider-key")));
        assertThat(driver.findElement(By.id("key-title")).getText()).isEqualTo("Connect Dynamics 365 Business Central (OData v4)");
        field.sendKeys("a-wrong-key", Keys.ENTER);
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key-error")));
        // The problem document's title and detail, as the API sent them (422: the provider refused the key).
        assertThat(error.getText()).startsWith("Request cannot be carried out: ").contains("The provider did not accept the key")
                .contains("/credentials/apiKey");
        assertThat(hub.get("/api/v1/connections", key).json()).isEmpty();

        field.sendKeys("the-right-key", Keys.ENTER);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("key-dialog")));
        wait.until(d -> "connected".equals(cardState("business-central")));
        assertThat(card("business-central").getText()).contains("Connected as CRONUS UK Ltd.");
        awaitToast("Dynamics 365 Business Central (OData v4) is connected.");
    }

    @Test
    void shouldConnectSimproWithAKeyPairAndImportWithAProgressBarAndCountsPerEntity() {
        String key = newTenantKey();
        signIn(key);

        button("Connect Simpro with a key pair").click();
        WebElement clientId = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pair-client-id")));
        assertThat(driver.findElement(By.id("pair-title")).getText()).isEqualTo("Connect Simpro with a key pair");
        clientId.sendKeys("sandbox-app");
        driver.findElement(By.id("pair-client-secret")).sendKeys("wrong", Keys.ENTER);
        // The sandbox build refuses the secret "wrong": the problem the API sent, naming the field.
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pair-error")));
        assertThat(error.getText()).contains("The provider did not accept the key pair").contains("/credentials");
        assertThat(hub.get("/api/v1/connections", key).json()).isEmpty();

        driver.findElement(By.id("pair-client-secret")).sendKeys("the-builds-secret", Keys.ENTER);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("pair-dialog")));
        wait.until(d -> "connected".equals(cardState("simpro")));
        awaitToast("Simpro is connected.");

        WebElement drawer = manage("Simpro");
        assertThat(drawer.getText()).doesNotContain("the-builds-secret");
        button("Import now from Simpro").click();
        // Customers, sites, jobs and quotes one after the other, each bar full with the counts of the sandbox build.
        wait.withTimeout(java.time.Duration.ofSeconds(60)).until(d -> d.findElement(
                By.cssSelector("[data-simpro-import='quote'] .progress-text")).getText().startsWith("Imported"));
        awaitToast("Simpro import finished.");
        for (String[] row : new String[][] {{"customer", "12"}, {"site", "6"}, {"job", "600"}, {"quote", "40"}}) {
            WebElement entity = drawer.findElement(By.cssSelector("[data-simpro-import='" + row[0] + "']"));
            assertThat(entity.findElement(By.cssSelector(".progress-text")).getText()).as(row[0])
                    .startsWith("Imported " + row[1] + " of " + row[1] + " (" + row[1] + " new, 0 changed)");
            WebElement bar = entity.findElement(By.tagName("progress"));
            assertThat(bar.getAttribute("value")).as(row[0]).isEqualTo(bar.getAttribute("max")).isEqualTo(row[1]);
        }
    }
}
