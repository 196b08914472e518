package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sim.Fault;
import dev.tollgate.testing.Browser;
import dev.tollgate.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The operator dashboard at {@code /dashboard} on the admin listener, in a real (headless) Chromium. */
class DashboardTest {
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static GatewayFixture fixture;
    private static ChromeDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start("""
                timeouts: {connect: 1s, first_byte: 2s, idle: 2s, request: 5s}
                routing:
                  retries: 0
                  breaker: {consecutive_failures: 2, open_for: 1m}
                """, Duration.ZERO);
        browser = Browser.start();
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void freshPage() {
        fixture.reset();
        browser.get(dashboardUrl());
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
    }

    private static String dashboardUrl() {
        return "http://127.0.0.1:" + fixture.gateway.adminPort() + "/dashboard";
    }

    private static void signIn(String token) {
        WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        input.sendKeys(token);
        browser.findElement(By.cssSelector("#login-form button")).click();
    }

    private static void tab(String name) {
        browser.findElement(By.cssSelector("nav button[data-tab='" + name + "']"))
                .click();
    }

    @Test
    void refuses_a_wrong_admin_token_and_shows_nothing() {
        signIn("not-the-token");
        wait.until(ExpectedConditions.textToBe(By.id("login-error"), "The admin token was refused."));
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
    }

    @Test
    void shows_usage_per_tenant_and_model_equal_to_the_ledger() throws Exception {
        for (int i = 0; i < 3; i++) {
            http.send(fixture.chatRequest("chat-small", i == 0, "hello"), HttpResponse.BodyHandlers.ofString());
        }
        JsonNode usage = fixture.usage("acme");
        long requests = usage.get("by_model").get("chat-small").get("requests").asLong();
        long prompt =
                usage.get("by_model").get("chat-small").get("prompt_tokens").asLong();

        signIn(GatewayFixture.ADMIN_TOKEN);
        By row = By.cssSelector("#usage-table tr[data-tenant='acme'][data-model='chat-small']");
        WebElement line = wait.until(ExpectedConditions.visibilityOfElementLocated(row));
        List<WebElement> cells = line.findElements(By.tagName("td"));
        assertThat(cells.get(2).getText()).isEqualTo(String.format("%,d", requests));
        assertThat(cells.get(4).getText()).isEqualTo(String.format("%,d", prompt));
        assertThat(browser.findElements(By.cssSelector("#tokens-chart svg rect.completion")))
                .isNotEmpty();
        wait.until(ExpectedConditions.attributeToBe(By.id("status-dot"), "class", "dot ok"));
    }

    @Test
    void creates_a_key_shows_it_once_and_revokes_it_for_real() throws Exception {
        signIn(GatewayFixture.ADMIN_TOKEN);
        tab("keys");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#key-tenant option[value='acme']")));
        new Select(browser.findElement(By.id("key-tenant"))).selectByValue("acme");
        browser.findElement(By.id("key-name")).sendKeys("from-the-dashboard");
        browser.findElement(By.id("key-models")).sendKeys("chat-small");
        browser.findElement(By.cssSelector("#key-form button")).click();

        String key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-key-value")))
                .getText();
        assertThat(key).startsWith("tg-");
        assertThat(chat(key)).as("the new key works").isEqualTo(200);

        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//table[@id='keys-table']//tr[td[3][text()='from-the-dashboard']]")));
        assertThat(row.findElement(By.cssSelector("td.state")).getText()).isEqualTo("active");
        assertThat(row.getText()).doesNotContain(key);
        String keyId = row.getAttribute("data-key");

        row.findElement(By.cssSelector("button.revoke")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBe(
                By.cssSelector("#keys-table tr[data-key='" + keyId + "'] td.state"), "revoked"));
        assertThat(chat(key)).as("revoked at once").isEqualTo(401);
    }

    @Test
    void shows_deployments_in_router_order_with_an_open_breaker_last() throws Exception {
        fixture.simA.fault(Fault.status(503));
        for (int i = 0; i < 2; i++) {
            http.send(fixture.chatRequest("chat-small", false, "x"), HttpResponse.BodyHandlers.ofString());
        }
        signIn(GatewayFixture.ADMIN_TOKEN);
        tab("deployments");
        By rows = By.cssSelector("#deployments table[data-model='chat-small'] tbody tr");
        wait.until(ExpectedConditions.numberOfElementsToBe(rows, 2));
        List<WebElement> order = browser.findElements(rows);
        assertThat(order.get(0).getAttribute("data-deployment")).isEqualTo("sim-b/sim-chat");
        assertThat(order.get(1).getAttribute("data-deployment")).isEqualTo("sim-a/sim-chat");
        assertThat(order.get(1).findElement(By.cssSelector("td.breaker")).getText())
                .isEqualTo("open");
        assertThat(order.get(0).findElement(By.cssSelector("td.breaker")).getText())
                .isEqualTo("closed");
    }

    @Test
    void adds_a_tenant_that_keys_can_then_be_made_for() {
        signIn(GatewayFixture.ADMIN_TOKEN);
        tab("tenants");
        String name = "globex-" + System.nanoTime();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("tenant-name")))
                .sendKeys(name);
        browser.findElement(By.id("tenant-country")).sendKeys("fr");
        browser.findElement(By.cssSelector("#tenant-form button")).click();
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#tenants-table tr[data-tenant='" + name + "']")));
        assertThat(row.getText()).contains("FR");
        tab("keys");
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#key-tenant option[value='" + name + "']")));
    }

    @Test
    void serves_the_page_with_a_strict_content_security_policy_and_no_data() throws Exception {
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(URI.create(dashboardUrl())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-security-policy"))
                .hasValueSatisfying(
                        csp -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe"));
        assertThat(page.body()).doesNotContain("acme").doesNotContain(GatewayFixture.ADMIN_TOKEN);
        HttpResponse<String> other = http.send(
                HttpRequest.newBuilder(URI.create(dashboardUrl() + "/../../etc/passwd"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isIn(400, 404);
        HttpResponse<String> api = fixture.adminRaw("GET", "/admin/v1/usage/totals", null, null);
        assertThat(api.statusCode()).as("the data behind it needs the token").isEqualTo(401);
    }

    private static int chat(String key) throws Exception {
        return fixture.post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode();
    }
}
