package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final Path FILE = Path.of("/etc/tollgate/tollgate.yaml");
    static final Map<String, String> ENV = Map.of(
            "TOLLGATE_ADMIN_TOKEN", "admin-secret-123",
            "UPSTREAM_KEY", "sk-upstream-secret",
            "ACME_KEY", "tg-acme-secret");

    static final String EXAMPLE = """
            listen: 127.0.0.1:8080
            admin:
              listen: 127.0.0.1:8081
              token: ${TOLLGATE_ADMIN_TOKEN}
            store: ./data/tollgate.db          # embedded default; path relative to the config file's directory
            providers:
              sim-a: {type: openai, base_url: http://127.0.0.1:19101/v1, api_key: ${UPSTREAM_KEY}, region: sg}
              sim-b: {type: openai, base_url: http://127.0.0.1:19102/v1, api_key: ${UPSTREAM_KEY}, region: us}
            models:
              chat-small:                       # the name clients ask for
                - {provider: sim-a, model: sim-chat, priority: 1}
                - {provider: sim-b, model: sim-chat, priority: 2}
              embed-small:
                - {provider: sim-a, model: sim-embed}
            tenants:
              acme:
                country: DE
                keys: [${ACME_KEY}]
            """;

    /** The smallest valid file; tests append or replace lines to provoke one problem at a known place. */
    static final String MINIMAL = """
            listen: 127.0.0.1:8080
            providers:
              sim-a: {type: openai, base_url: http://127.0.0.1:19101/v1}
            models:
              chat-small: [{provider: sim-a, model: sim-chat}]
            """;

    static GatewayConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, FILE, ENV);
    }

    static List<ConfigProblem> problemsOf(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    static ConfigProblem onlyProblemOf(String yaml) {
        List<ConfigProblem> problems = problemsOf(yaml);
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    @Test
    void loadsTheDocumentedExampleIntoTheExpectedRecords(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tollgate.yaml");
        Files.writeString(file, EXAMPLE);

        GatewayConfig config = ConfigLoader.load(file, ENV);

        Secret upstream = new Secret("sk-upstream-secret");
        assertThat(config)
                .isEqualTo(new GatewayConfig(
                        file,
                        new HostPort("127.0.0.1", 8080),
                        new AdminConfig(new HostPort("127.0.0.1", 8081), new Secret("admin-secret-123")),
                        dir.resolve("data/tollgate.db").toAbsolutePath().toString(),
                        Map.of(
                                "sim-a",
                                new ProviderConfig(
                                        "sim-a",
                                        "openai",
                                        URI.create("http://127.0.0.1:19101/v1"),
                                        upstream,
                                        "sg",
                                        Map.of()),
                                "sim-b",
                                new ProviderConfig(
                                        "sim-b",
                                        "openai",
                                        URI.create("http://127.0.0.1:19102/v1"),
                                        upstream,
                                        "us",
                                        Map.of())),
                        Map.of(
                                "chat-small",
                                List.of(
                                        new DeploymentConfig("sim-a", "sim-chat", 1, 1),
                                        new DeploymentConfig("sim-b", "sim-chat", 2, 1)),
                                "embed-small",
                                List.of(new DeploymentConfig("sim-a", "sim-embed", 1, 1))),
                        Map.of(
                                "acme",
                                new TenantConfig("acme", "DE", List.of(new Secret("tg-acme-secret")), List.of())),
                        Limits.DEFAULTS,
                        Timeouts.DEFAULTS,
                        Routing.DEFAULTS));
    }

    @Test
    void appliesDefaultsWhenOptionalSectionsAreAbsent() throws Exception {
        GatewayConfig config = parse(MINIMAL);

        assertThat(config.admin()).isNull();
        assertThat(config.tenants()).isEmpty();
        assertThat(config.store())
                .isEqualTo(Path.of("/etc/tollgate/data/tollgate.db").toString());
        assertThat(config.limits()).isEqualTo(Limits.DEFAULTS);
        assertThat(config.timeouts()).isEqualTo(Timeouts.DEFAULTS);
        assertThat(config.routing()).isEqualTo(Routing.DEFAULTS);
        ProviderConfig provider = config.providers().get("sim-a");
        assertThat(provider.apiKey()).isNull();
        assertThat(provider.region()).isNull();
        assertThat(provider.headers()).isEmpty();
    }

    @Test
    void readsTheOptionalExtensions() throws Exception {
        GatewayConfig config = parse("""
                listen: "[::1]:0"
                store: jdbc:sqlite:/var/lib/tollgate.db
                providers:
                  sim-a:
                    type: openai
                    base_url: https://api.example.com/v1
                    headers: {OpenAI-Organization: org-1, X-Key: "Bearer ${UPSTREAM_KEY}"}
                models:
                  chat-small:
                    - {provider: sim-a, model: b, priority: 2}
                    - {provider: sim-a, model: a, priority: 0, weight: 3}
                    - {provider: sim-a, model: c, priority: 2, weight: 5}
                tenants:
                  acme: {country: FR, models: [chat-small]}
                  empty:
                limits: {max_body: 1MiB, max_response: 2 MB, max_json_depth: 16}
                timeouts: {connect: 250ms, first_byte: 2m, idle: 1h, request: 90s, shutdown_drain: 0s}
                """);

        assertThat(config.listen()).isEqualTo(new HostPort("::1", 0));
        assertThat(config.store()).isEqualTo("jdbc:sqlite:/var/lib/tollgate.db");
        assertThat(config.providers().get("sim-a").headers())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("OpenAI-Organization", "org-1", "X-Key", "Bearer sk-upstream-secret"));
        assertThat(config.models().get("chat-small"))
                .containsExactly(
                        new DeploymentConfig("sim-a", "a", 0, 3),
                        new DeploymentConfig("sim-a", "b", 2, 1),
                        new DeploymentConfig("sim-a", "c", 2, 5));
        assertThat(config.tenants())
                .containsEntry("acme", new TenantConfig("acme", "FR", List.of(), List.of("chat-small")))
                .containsEntry("empty", new TenantConfig("empty", null, List.of(), List.of()));
        assertThat(config.limits()).isEqualTo(new Limits(1L << 20, 2_000_000, 16));
        assertThat(config.timeouts())
                .isEqualTo(new Timeouts(
                        Duration.ofMillis(250),
                        Duration.ofMinutes(2),
                        Duration.ofHours(1),
                        Duration.ofSeconds(90),
                        Duration.ZERO));
    }

    @Test
    void acceptsAPostgresStoreAndRejectsAnUnsupportedDatabase() throws Exception {
        String pg = "jdbc:postgresql://db.internal:5432/tollgate?user=tollgate";
        assertThat(parse(MINIMAL + "store: " + pg + "\n").store()).isEqualTo(pg);

        ConfigProblem problem = onlyProblemOf(MINIMAL + "store: jdbc:mysql://db/tollgate\n");
        assertThat(problem.field()).isEqualTo("store");
        assertThat(problem.line()).isEqualTo(MINIMAL.split("\n").length + 1);
        assertThat(problem.message()).contains("jdbc:postgresql:");
    }

    @Test
    void rejectsUnsetEnvironmentVariableNamingFileLineAndVariable() {
        ConfigProblem problem = onlyProblemOf(MINIMAL + "admin: {listen: 127.0.0.1:8081, token: ${MISSING_TOKEN}}\n");

        assertThat(problem.file()).isEqualTo(FILE);
        assertThat(problem.line()).isEqualTo(6);
        assertThat(problem.column()).isEqualTo(40);
        assertThat(problem.field()).isEqualTo("admin.token");
        assertThat(problem.message()).contains("MISSING_TOKEN").contains("not set");
        assertThat(problem.toString())
                .startsWith("/etc/tollgate/tollgate.yaml:6:40: admin.token: environment variable MISSING_TOKEN");
    }

    @Test
    void usesTheDefaultOfAnUnsetVariableAndTheValueOfASetOne() throws Exception {
        GatewayConfig config = ConfigLoader.parse(
                MINIMAL.replace("127.0.0.1:8080", "${HOST:-0.0.0.0}:${PORT:-9000}"), FILE, Map.of("PORT", "7000"));

        assertThat(config.listen()).isEqualTo(new HostPort("0.0.0.0", 7000));
    }

    @Test
    void anEmptyDefaultLeavesAnOptionalSecretUnset() throws Exception {
        GatewayConfig config = parse(MINIMAL.replace("/v1}", "/v1, api_key: ${NO_SUCH_KEY:-}}"));

        assertThat(config.providers().get("sim-a").apiKey()).isNull();
    }

    @Test
    void ignoresVariablesInCommentsAndKeepsLineNumbers() {
        ConfigProblem problem = onlyProblemOf("""
                # Set ${NOT_SET} before starting
                listen: 127.0.0.1:8080   # or ${ALSO_NOT_SET}
                providers:
                  sim-a: {type: openai, base_url: "http://x/#${UPSTREAM_KEY}"}   # ${NOPE}
                models:
                  chat-small: [{provider: sim-a, model: sim-chat}]
                surprise: 1
                """);

        assertThat(problem.line()).isEqualTo(7);
        assertThat(problem.field()).isEqualTo("surprise");
    }

    @Test
    void substitutedValuesCannotChangeTheYamlStructure() throws Exception {
        Map<String, String> env = Map.of("KEY", "a, b: {c}", "QUOTE", "it's \"x\"");
        GatewayConfig config = ConfigLoader.parse(
                MINIMAL.replace("/v1}", "/v1, api_key: ${KEY}, headers: {A: '${QUOTE}', B: \"${QUOTE}\"}}"), FILE, env);

        ProviderConfig provider = config.providers().get("sim-a");
        assertThat(provider.apiKey()).isEqualTo(new Secret("a, b: {c}"));
        assertThat(provider.headers()).containsEntry("A", "it's \"x\"").containsEntry("B", "it's \"x\"");
    }

    @Test
    void reportsColumnsOfTheOriginalTextAfterASubstitutionOnTheSameLine() {
        ConfigProblem problem =
                onlyProblemOf(MINIMAL.replace("/v1}", "/v1, api_key: ${UPSTREAM_KEY}, region: sg, colour: red}"));

        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.column()).isEqualTo(100);
        assertThat(problem.field()).isEqualTo("providers.sim-a.colour");
    }

    @Test
    void rejectsAnUnknownFieldAtItsLineAndColumn() {
        List<ConfigProblem> problems = problemsOf(MINIMAL.replace("base_url", "base-url"));

        assertThat(problems).extracting(ConfigProblem::field).contains("providers.sim-a.base_url");
        ConfigProblem problem = problems.stream()
                .filter(p -> p.field().equals("providers.sim-a.base-url"))
                .findFirst()
                .orElseThrow();

        assertThat(problem)
                .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::field)
                .containsExactly(3, 25, "providers.sim-a.base-url");
        assertThat(problem.message()).contains("did you mean base_url?");
    }

    @Test
    void rejectsAWrongType() {
        ConfigProblem problem = onlyProblemOf(MINIMAL.replace("model: sim-chat}", "model: sim-chat, priority: high}"));

        assertThat(problem)
                .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::field)
                .containsExactly(5, 61, "models.chat-small[0].priority");
        assertThat(problem.message()).contains("whole number");
    }

    @Test
    void rejectsMissingRequiredFields() {
        List<ConfigProblem> problems = problemsOf("""
                providers:
                  sim-a: {base_url: http://127.0.0.1:19101/v1}
                  sim-b: {type: openai}
                models:
                  chat-small: [{provider: sim-a}, {model: x}]
                """);

        assertThat(problems)
                .extracting(ConfigProblem::line, ConfigProblem::field)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "listen"),
                        org.assertj.core.groups.Tuple.tuple(2, "providers.sim-a.type"),
                        org.assertj.core.groups.Tuple.tuple(3, "providers.sim-b.base_url"),
                        org.assertj.core.groups.Tuple.tuple(5, "models.chat-small[0].model"),
                        org.assertj.core.groups.Tuple.tuple(5, "models.chat-small[1].provider"));
        assertThat(problems).allSatisfy(p -> assertThat(p.message()).contains("required field is missing"));
    }

    @Test
    void rejectsADeploymentThatNamesAnUnknownProvider() {
        ConfigProblem problem = onlyProblemOf(MINIMAL.replace("provider: sim-a", "provider: sim-c"));

        assertThat(problem.toString())
                .isEqualTo("/etc/tollgate/tollgate.yaml:5:27: models.chat-small[0].provider: unknown provider"
                        + " 'sim-c' (known: sim-a)");
    }

    @Test
    void rejectsAnUnknownProviderType() {
        ConfigProblem problem = onlyProblemOf(MINIMAL.replace("type: openai", "type: cohere"));

        assertThat(problem)
                .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::field)
                .containsExactly(3, 17, "providers.sim-a.type");
        assertThat(problem.message())
                .startsWith("unknown provider type 'cohere' (known: ")
                .contains("anthropic", "bedrock", "gemini", "openai");
    }

    @Test
    void rejectsBadUrlsWithoutEchoingThem() {
        List<ConfigProblem> problems = problemsOf(MINIMAL.replace("http://127.0.0.1:19101/v1", "ftp://host/v1")
                + "  other: {type: openai, base_url: \"https://user:${UPSTREAM_KEY}@example.com\"}\n"
                        .replace("  other", "  x")
                        .replace("x:", "x:"));

        assertThat(problems).isNotEmpty();
        assertThat(problems.get(0))
                .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::field)
                .containsExactly(3, 35, "providers.sim-a.base_url");
        assertThat(problems)
                .allSatisfy(p ->
                        assertThat(p.toString()).doesNotContain("ftp://host").doesNotContain("sk-upstream-secret"));
    }

    @Test
    void rejectsABadListenAddress() {
        ConfigProblem problem = onlyProblemOf(MINIMAL.replace("127.0.0.1:8080", "127.0.0.1:99999"));

        assertThat(problem)
                .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::field)
                .containsExactly(1, 9, "listen");
        assertThat(problem.message()).contains("host:port");
    }

    @Test
    void rejectsTheSameKeyGivenToTwoTenants() {
        ConfigProblem problem = onlyProblemOf(MINIMAL + """
                tenants:
                  acme: {keys: [${ACME_KEY}]}
                  umbrella:
                    keys:
                      - ${ACME_KEY}
                """);

        assertThat(problem)
                .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::field)
                .containsExactly(10, 9, "tenants.umbrella.keys[0]");
        assertThat(problem.message()).contains("tenant 'acme' at line 7").doesNotContain("tg-acme-secret");
    }

    @Test
    void rejectsAModelWithoutDeploymentsAndAnEmptyModelsSection() {
        assertThat(onlyProblemOf(MINIMAL.replace("[{provider: sim-a, model: sim-chat}]", "[]")))
                .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::field)
                .containsExactly(5, 15, "models.chat-small");
        assertThat(onlyProblemOf(
                        MINIMAL.replace("models:\n  chat-small: [{provider: sim-a, model: sim-chat}]", "models: {}")))
                .extracting(ConfigProblem::line, ConfigProblem::field, ConfigProblem::message)
                .containsExactly(
                        4,
                        "models",
                        "no models defined: add at least one, e.g. models: {chat-small:"
                                + " [{provider: sim-a, model: sim-chat}]}");
    }

    @Test
    void rejectsATenantCountryThatIsNotTwoCapitalsAndAModelThatDoesNotExist() {
        List<ConfigProblem> problems = problemsOf(MINIMAL + "tenants:\n  acme: {country: de, models: [chat-big]}\n");

        assertThat(problems)
                .extracting(ConfigProblem::field, ConfigProblem::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "tenants.acme.country", "'de' is not an ISO 3166 alpha-2 country code: write 'DE'"),
                        org.assertj.core.groups.Tuple.tuple(
                                "tenants.acme.models[0]", "unknown model 'chat-big' (known: chat-small)"));
    }

    @Test
    void reportsSeveralProblemsTogetherInFileOrder() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> parse("""
                        listen: nowhere
                        providers:
                          sim-a: {type: grpc, base_url: http://127.0.0.1:19101/v1, colour: blue}
                        models:
                          chat-small: [{provider: sim-b, model: sim-chat, weight: 0}]
                        limits: {max_body: 8 parsecs}
                        timeouts: {connect: 5}
                        """));

        assertThat(e.problems())
                .extracting(ConfigProblem::line, ConfigProblem::field)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "listen"),
                        org.assertj.core.groups.Tuple.tuple(3, "providers.sim-a.type"),
                        org.assertj.core.groups.Tuple.tuple(3, "providers.sim-a.colour"),
                        org.assertj.core.groups.Tuple.tuple(5, "models.chat-small[0].provider"),
                        org.assertj.core.groups.Tuple.tuple(5, "models.chat-small[0].weight"),
                        org.assertj.core.groups.Tuple.tuple(6, "limits.max_body"),
                        org.assertj.core.groups.Tuple.tuple(7, "timeouts.connect"));
        assertThat(e.getMessage()).startsWith("7 configuration problems:\n  /etc/tollgate/tollgate.yaml:1:9: listen:");
        assertThat(e.getMessage().lines()).hasSize(8);
    }

    @Test
    void neverPutsSecretsIntoMessages() {
        Map<String, String> env = Map.of("UPSTREAM_KEY", "sk-very-secret", "ACME_KEY", "tg-very-secret");
        String yaml = """
                listen: 127.0.0.1:8080
                admin: {listen: 127.0.0.1:8081, token: [sk-very-secret]}
                providers:
                  sim-a:
                    type: openai
                    base_url: http://sk-very-secret
                    api_key: {value: ${UPSTREAM_KEY}}
                    headers: {Authorization: [Bearer, "${UPSTREAM_KEY}"]}
                models:
                  chat-small: [{provider: sim-a, model: sim-chat}]
                tenants:
                  a: {keys: [${ACME_KEY}]}
                  b: {keys: [${ACME_KEY}]}
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, FILE, env))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(4))
                .message()
                .doesNotContain("very-secret");
    }

    @Test
    void reportsAYamlSyntaxErrorAtItsPositionWithoutQuotingTheLine() {
        ConfigProblem problem = ConfigLoaderTest.onlyProblemOf(
                "listen: 127.0.0.1:8080\nproviders:\n  sim-a: {type: openai, api_key: ${UPSTREAM_KEY}\nmodels: x\n");

        assertThat(problem.line()).isBetween(3, 4);
        assertThat(problem.message()).startsWith("invalid YAML").doesNotContain("sk-upstream-secret");
    }

    @Test
    void rejectsDuplicateKeys() {
        ConfigProblem problem = onlyProblemOf(MINIMAL + "listen: 127.0.0.1:9090\n");

        assertThat(problem)
                .extracting(ConfigProblem::line, ConfigProblem::field)
                .containsExactly(6, "listen");
        assertThat(problem.message()).contains("first written at line 1");
    }

    @Test
    void reportsAFileThatCannotBeRead(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing, ENV))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing + ": file not found");
    }

    @Test
    void readsTheRoutingSection() throws Exception {
        GatewayConfig config = parse(MINIMAL + """
                routing:
                  retries: 3
                  backoff_base: 50ms
                  breaker: {failure_rate: 40, minimum_calls: 4, window: 8, consecutive_failures: 0, open_for: 2s,
                            half_open_calls: 1}
                """);

        assertThat(config.routing())
                .isEqualTo(new Routing(
                        3, Duration.ofMillis(50), new Routing.Breaker(40, 4, 8, 0, Duration.ofSeconds(2), 1)));
    }

    @Test
    void rejectsBadRoutingValuesAtTheirFileLineAndColumn() {
        List<ConfigProblem> problems = problemsOf(MINIMAL + """
                routing:
                  retries: -1
                  backoff_base: 100
                  breaker: {failure_rate: 150, minimum_calls: 10, window: 5, open_for: soon, half_open: 2}
                """);

        assertThat(problems)
                .extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::field)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(7, 12, "routing.retries"),
                        org.assertj.core.groups.Tuple.tuple(8, 17, "routing.backoff_base"),
                        org.assertj.core.groups.Tuple.tuple(9, 27, "routing.breaker.failure_rate"),
                        org.assertj.core.groups.Tuple.tuple(9, 59, "routing.breaker.window"),
                        org.assertj.core.groups.Tuple.tuple(9, 72, "routing.breaker.open_for"),
                        org.assertj.core.groups.Tuple.tuple(9, 78, "routing.breaker.half_open"));
        assertThat(problems.get(0).toString()).startsWith("/etc/tollgate/tollgate.yaml:7:12: routing.retries:");
        assertThat(problems)
                .filteredOn(p -> p.field().equals("routing.backoff_base"))
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("needs a unit"));
        assertThat(problems)
                .filteredOn(p -> p.field().equals("routing.breaker.half_open"))
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("unknown field"));
    }
}
