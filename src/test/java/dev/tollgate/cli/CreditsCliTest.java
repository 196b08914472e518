package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testing.GatewayFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code tollgate credits}, {@code tollgate budgets} and {@code keys create --project} against a running gateway. */
class CreditsCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start("""
                    projects:
                      web: {limits: {requests_per_minute: 100}}
                """, java.time.Duration.ZERO);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    record Run(int exit, String out, String err) {}

    private static synchronized Run admin(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--admin-url";
        all[args.length + 1] = "http://127.0.0.1:" + fixture.gateway.adminPort();
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(Map.of("TOLLGATE_ADMIN_TOKEN", GatewayFixture.ADMIN_TOKEN), all);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void creditsGrantTopUpAndListShowTheOrderOfConsumptionAndWhatIsLeft() throws Exception {
        Run grant = admin(
                "credits",
                "grant",
                "--tenant",
                "acme",
                "--tokens",
                "50000000",
                "--valid-days",
                "90",
                "--reason",
                "migrating from another provider",
                "--id",
                "migration-acme");
        assertThat(grant.exit()).as(grant.err()).isZero();
        Run paid = admin(
                "credits",
                "grant",
                "--tenant",
                "acme",
                "--amount",
                "20",
                "--currency",
                "EUR",
                "--priority",
                "paid",
                "--model",
                "chat-small");
        assertThat(paid.exit()).as(paid.err()).isZero();
        Run topUp = admin(
                "credits",
                "top-up",
                "--tenant",
                "acme",
                "--amount",
                "100.00",
                "--currency",
                "EUR",
                "--reference",
                "inv-2026-001");
        assertThat(topUp.exit()).as(topUp.err()).isZero();

        Run list = admin("credits", "list", "--tenant", "acme");

        assertThat(list.exit()).isZero();
        JsonNode data = JSON.readTree(list.out()).path("data");
        assertThat(data).hasSize(3);
        assertThat(data.get(0).path("id").asText()).isEqualTo("migration-acme");
        assertThat(data.get(0).path("remaining").asText()).isEqualTo("50000000");
        assertThat(data.get(0).path("reason").asText()).isEqualTo("migrating from another provider");
        assertThat(data.get(1).path("priority").asText()).isEqualTo("paid");
        assertThat(data.get(1).path("amount").asText()).isEqualTo("20.000000");
        assertThat(data.get(1).path("models").get(0).asText()).isEqualTo("chat-small");
        assertThat(data.get(2).path("id").asText()).isEqualTo("balance:EUR");
        assertThat(JSON.readTree(list.out()).path("available").path("EUR").asText())
                .isEqualTo("120.000000");
    }

    @Test
    void aGrantForAnUnknownTenantOrWithoutAnAmountFailsWithTheApisReason() {
        Run unknown = admin("credits", "grant", "--tenant", "nobody", "--tokens", "5");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("HTTP 404", "unknown tenant 'nobody'");

        Run noAmount = admin("credits", "grant", "--tenant", "acme");
        assertThat(noAmount.exit()).isNotZero();
        assertThat(noAmount.err()).contains("--tokens", "--amount");
    }

    @Test
    void budgetsSetAndShowForAProjectAndKeysCanBelongToIt() throws Exception {
        Run key = admin("keys", "create", "--tenant", "acme", "--name", "web-frontend", "--project", "web");
        assertThat(key.exit()).as(key.err()).isZero();
        assertThat(JSON.readTree(key.out()).path("project").asText()).isEqualTo("web");

        Run set = admin(
                "budgets",
                "set",
                "--tenant",
                "acme",
                "--scope",
                "project",
                "--name",
                "web",
                "--budget",
                "monthly:500:USD",
                "--budget",
                "daily:40:USD:soft");
        assertThat(set.exit()).as(set.err()).isZero();

        JsonNode shown =
                JSON.readTree(admin("budgets", "show", "--tenant", "acme").out());
        JsonNode web = null;
        for (JsonNode scope : shown.path("data")) {
            if (scope.path("scope").asText().equals("project")
                    && scope.path("name").asText().equals("web")) {
                web = scope;
            }
        }
        assertThat(web).isNotNull();
        assertThat(web.path("source").asText()).isEqualTo("admin");
        assertThat(web.path("budgets").get(0).path("limit").asText()).isEqualTo("500.000000");
        assertThat(web.path("budgets").get(1).path("hard").asBoolean()).isFalse();
        assertThat(web.path("budgets").get(0).path("spent_or_reserved").asText())
                .isEqualTo("0.000000");

        Run bad = admin("budgets", "set", "--tenant", "acme", "--budget", "weekly-500");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("PERIOD:LIMIT:CURRENCY");
    }
}
