package io.integrationhub.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoSuchWindowException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium driven by the system chromedriver, headless; nothing is downloaded. Saves a
 * screenshot under {@code target/screenshots/} when a test using it fails.
 */
public final class Browser implements TestWatcher {

    public static final String CHROMIUM = System.getProperty("hub.test.chromium", "/usr/bin/chromium");
    public static final String CHROMEDRIVER = System.getProperty("hub.test.chromedriver", "/usr/bin/chromedriver");

    private WebDriver driver;

    public WebDriver driver() {
        if (driver == null) {
            if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
                throw new IllegalStateException("Browser tests need Debian's chromium and chromium-driver ("
                        + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium chromium-driver");
            }
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                    "--disable-quic", "--disable-popup-blocking", "--window-size=1280,900");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
            driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        }
        return driver;
    }

    public void size(int width, int height) {
        driver().manage().window().setSize(new Dimension(width, height));
    }

    public Path screenshot(String name) {
        try {
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
            Files.write(file, ((TakesScreenshot) driver()).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (driver != null) {
            String name = "FAILED-" + context.getRequiredTestClass().getSimpleName() + "-" + context.getDisplayName();
            try {
                driver.getWindowHandle();
            } catch (NoSuchWindowException closed) {
                // the test was looking at a popup that has closed: show the window that is left
                driver.switchTo().window(driver.getWindowHandles().iterator().next());
            }
            Path png = screenshot(name);
            try {
                Files.writeString(png.resolveSibling(png.getFileName().toString().replace(".png", ".html")),
                        driver.getCurrentUrl() + "\n" + driver.getPageSource());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public void quit() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
    }
}
