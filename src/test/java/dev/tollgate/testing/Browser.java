package dev.tollgate.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from Debian's packages ({@code chromium}, {@code chromium-driver}), driven through Selenium.
 * Without them the browser tests are skipped with the reason, unless {@code TOLLGATE_REQUIRE_BROWSER=1} (set by CI),
 * where they fail instead.
 */
public final class Browser {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String DRIVER = "/usr/bin/chromedriver";

    private Browser() {}

    public static ChromeDriver start() throws Exception {
        if (!new File(CHROMIUM).canExecute() || !new File(DRIVER).canExecute()) {
            String reason = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)";
            if ("1".equals(System.getenv("TOLLGATE_REQUIRE_BROWSER"))) {
                throw new IllegalStateException(reason + " but TOLLGATE_REQUIRE_BROWSER=1");
            }
            Assumptions.abort(reason);
        }
        Path profile = Files.createTempDirectory("tollgate-chromium-");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                // The machine has no network beyond loopback: background fetches would only fail, slowly.
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--window-size=1400,1000",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }
}
