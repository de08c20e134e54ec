package io.vigil.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through chromedriver (Debian's chromium and chromium-driver, which
 * {@code ./vigil setup-browser} installs), for the tests of the host's web console.
 */
final class ConsoleBrowser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("VIGIL_CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("VIGIL_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /** Where screenshots go; docs/images holds the ones the README shows. */
    static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    final ChromeDriver driver;

    private ConsoleBrowser(boolean acceptAnyCertificate) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": run ./vigil setup-browser (Debian's chromium and chromium-driver), or name them in VIGIL_CHROMIUM and VIGIL_CHROMEDRIVER");
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1360,1700",
                        "--hide-scrollbars", "--force-device-scale-factor=1");
        if (acceptAnyCertificate) {
            // The host's certificate is signed by an authority the test made; the browser has no reason to know it.
            options.setAcceptInsecureCerts(true);
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    static ConsoleBrowser open() {
        return new ConsoleBrowser(false);
    }

    static ConsoleBrowser openTrustingAnyCertificate() {
        return new ConsoleBrowser(true);
    }

    <T> T await(String what, Duration within, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, within).withMessage(what).until(condition);
    }

    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
