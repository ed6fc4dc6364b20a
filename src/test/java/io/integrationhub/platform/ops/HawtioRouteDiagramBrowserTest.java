package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.integrationhub.support.Browser;
import io.integrationhub.support.HubIntegrationTest;

/**
 * Hawtio's Camel plugin still shows the route tree and a route's diagram with its counters under the Jolokia
 * policy (jolokia-access.xml allows the read-only dumps it calls). Debian chromium, headless.
 */
@Tag("own-jvm") // in a JVM of its own (pom.xml): the console loads the JMX tree of every context in its JVM
class HawtioRouteDiagramBrowserTest extends HubIntegrationTest {

    @RegisterExtension
    final Browser browser = new Browser();

    @AfterEach
    void close() {
        browser.driver().quit();
    }

    @Test
    void shouldDrawTheDiagramOfARoute() {
        WebDriver driver = browser.driver();
        // in a JVM of its own (tag own-jvm): Hawtio lists the routes of every Camel context in its JVM
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(120));
        driver.get("http://localhost:" + port + "/actuator/hawtio/camel/routes");
        wait.until(ExpectedConditions.elementToBeClickable(
                By.xpath("//button[normalize-space(.)='api.listProviders']"))).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//*[normalize-space(text())='Route Diagram']"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Bean platformApi"));
        String page = driver.findElement(By.tagName("body")).getText();
        assertThat(page).contains("From direct:listP").contains("(ID: api.listProviders.call");
    }
}
