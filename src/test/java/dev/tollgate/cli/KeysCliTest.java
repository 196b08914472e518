package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testing.GatewayFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line against files and against a running gateway's admin API. */
class KeysCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT =
            "{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static GatewayFixture fixture;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    /** What one run of the command line did. */
    record Run(int exit, String out, String err) {}

    private static synchronized Run run(Map<String, String> env, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(env, args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Run admin(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--admin-url";
        all[args.length + 1] = "http://127.0.0.1:" + fixture.gateway.adminPort();
        return run(Map.of("TOLLGATE_ADMIN_TOKEN", GatewayFixture.ADMIN_TOKEN), all);
    }

    @Test
    void checkConfigExits0ForAValidFileAnd2WithFileLineAndColumnForAnInvalidOne() throws Exception {
        Path valid = dir.resolve("valid.yaml");
        Files.writeString(valid, """
                listen: 127.0.0.1:8080
                providers:
                  sim-a: {type: openai, base_url: http://127.0.0.1:19101/v1, api_key: sk-x}
                models:
                  chat-small:
                    - {provider: sim-a, model: sim-chat}
                tenants:
                  acme: {keys: [tg-acme-cli-key-000000000000000000000000]}
                """);
        Path invalid = dir.resolve("invalid.yaml");
        Files.writeString(
                invalid,
                Files.readString(valid)
                        .replace("{provider: sim-a, model: sim-chat}", "{provider: sim-z, model: sim-chat}"));

        Run ok = run(Map.of(), "check-config", valid.toString());
        Run bad = run(Map.of(), "check-config", invalid.toString());

        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("valid");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).containsPattern("invalid\\.yaml:6:\\d+").contains("sim-z");
    }

    @Test
    void keysCreatePrintsTheKeyOnceListNeverShowsItAndRevokeStopsItAtOnce() throws Exception {
        Run created = admin("keys", "create", "--tenant", "acme", "--name", "from-cli");
        assertThat(created.exit()).as(created.err()).isZero();
        JsonNode key = JSON.readTree(created.out());
        String secret = key.path("key").asText();
        String id = key.path("id").asText();
        assertThat(secret).isNotBlank();
        assertThat(fixture.post("/v1/chat/completions", secret, CHAT).statusCode())
                .isEqualTo(200);

        Run listed = admin("keys", "list", "--tenant", "acme");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out()).contains(id, "from-cli").doesNotContain(secret);

        Run revoked = admin("keys", "revoke", id);
        assertThat(revoked.exit()).as(revoked.err()).isZero();
        assertThat(JSON.readTree(revoked.out()).path("revoked_at").asText()).isNotBlank();
        assertThat(fixture.post("/v1/chat/completions", secret, CHAT).statusCode())
                .isEqualTo(401);
    }

    @Test
    void usagePrintsTheTenantsTotals() throws Exception {
        fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, CHAT);

        Run usage = admin("usage", "--tenant", "acme");

        assertThat(usage.exit()).as(usage.err()).isZero();
        JsonNode totals = JSON.readTree(usage.out());
        assertThat(totals.path("tenant").asText()).isEqualTo("acme");
        assertThat(totals.path("requests").asLong()).isPositive();
        assertThat(totals.path("prompt_tokens").asLong()).isPositive();
    }

    @Test
    void adminCommandsWithoutTheTokenExit1AndSayWhichVariableToSet() {
        Run run = run(
                Map.of(),
                "usage",
                "--tenant",
                "acme",
                "--admin-url",
                "http://127.0.0.1:" + fixture.gateway.adminPort());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("TOLLGATE_ADMIN_TOKEN");
    }

    @Test
    void aWrongTokenIsReportedAsTheAdminApisRefusal() {
        Run run = run(
                Map.of("TOLLGATE_ADMIN_TOKEN", "not-the-token"),
                "keys",
                "list",
                "--admin-url",
                "http://127.0.0.1:" + fixture.gateway.adminPort());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("HTTP 401");
    }
}
