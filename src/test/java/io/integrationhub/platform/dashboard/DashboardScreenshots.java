package io.integrationhub.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Screenshots of the dashboard for people to look at, not part of the default test run (the class name does
 * not end in Test). One command, documented in docs/dashboard.md:
 *
 * <pre>./mvnw verify -Dtest=DashboardScreenshots -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * writes {@code target/screenshots/dashboard/{catalog,drawer-sync,danger-zone}-{1280,390}.png}: the catalog with
 * cards in every state, the manage drawer while a sync is running, and the danger-zone confirmation, each at
 * 1280 px and at 390 px wide.
 */
class DashboardScreenshots extends DashboardTestBase {

    static final Path OUT = Path.of("target", "screenshots", "dashboard");
    private static final String BC = "Dynamics 365 Business Central (OData v4)";

    @Test
    void shouldCaptureTheCatalogARunningSyncAndTheDangerZoneAtDesktopAndPhoneWidths() throws IOException {
        String key = newTenantKey();
        connectThroughSandbox(key, "xero");
        connectThroughSandbox(key, "onedrive");
        connectThroughSandbox(key, "square");
        consentThroughSandbox(key, "outlook", "deny");
        connectBusinessCentral(key);
        odataPages("customers", 240, 20, 700, i -> customer(i, "Customer " + i));
        Files.createDirectories(OUT);

        for (int[] size : new int[][] {{1280, 900}, {390, 844}}) {
            int width = size[0];
            BROWSER.size(width, size[1]);
            driver.get(hub.baseUrl() + "/dashboard/styles.css");
            js("sessionStorage.clear()");
            driver.get(hub.baseUrl() + "/");
            signIn(key);
            save("catalog-" + width, width);

            manage(BC);
            button("Sync customer now").click();
            wait.until(d -> {
                Object v = js("const b = document.querySelector(`.progress[data-entity='customer'] progress`);"
                        + "return b && b.hasAttribute('value') && b.value >= 40 && b.value < b.max;");
                return Boolean.TRUE.equals(v);
            });
            WebElement row = driver.findElement(By.cssSelector(".entity[data-entity='customer']"));
            js("arguments[0].scrollIntoView({block: 'center'})", row);
            save("drawer-sync-" + width, width);
            button("Cancel customer sync").click();
            wait.until(d -> "cancelled".equals(d.findElement(By.cssSelector(".progress[data-entity='customer'] .run"))
                    .getAttribute("data-status")));

            WebElement disconnect = driver.findElement(By.id("disconnect"));
            js("arguments[0].scrollIntoView({block: 'center'})", disconnect);
            disconnect.click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
            wait.until(d -> d.findElements(By.cssSelector("#toasts .toast")).isEmpty()); // they fade within seconds
            save("danger-zone-" + width, width);
            driver.findElement(By.id("confirm-cancel")).click();
            driver.findElement(By.id("drawer-close")).click();
        }
    }

    private void save(String name, int width) throws IOException {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Path file = OUT.resolve(name + ".png");
        Files.write(file, png);
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).as(name).isEqualTo(width);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours).as("%s is not blank", name).hasSizeGreaterThan(20);
    }
}
