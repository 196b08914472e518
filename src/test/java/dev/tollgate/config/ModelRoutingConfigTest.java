package dev.tollgate.config;

import static dev.tollgate.config.ConfigLoaderTest.parse;
import static dev.tollgate.config.ConfigLoaderTest.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing extensions of {@code models:} and {@code routing:}: fallback, strategies, aliases, pins, checks. */
class ModelRoutingConfigTest {
    private static final String PROVIDERS = """
            listen: 127.0.0.1:8080
            providers:
              cloud: {type: openai, base_url: http://127.0.0.1:19101/v1}
              local: {type: openai, base_url: http://127.0.0.1:19102/v1}
            models:
            """;

    @Test
    void theListFormStillMeansPriorityOrderWithoutFallback() throws Exception {
        GatewayConfig config = parse(ConfigLoaderTest.MINIMAL);

        assertThat(config.routing().of("chat-small")).isEqualTo(Routing.ModelRouting.PLAIN);
        assertThat(config.models().get("chat-small")).hasSize(1);
    }

    @Test
    void theMappingFormGivesDeploymentsFallbackAndStrategy() throws Exception {
        GatewayConfig config = parse(PROVIDERS + """
                  closed:
                    deployments: [{provider: cloud, model: gpt-x}]
                    fallback: [open]
                    strategy: least-latency
                  open: [{provider: local, model: llama}]
                """);

        assertThat(config.models().get("closed"))
                .extracting(DeploymentConfig::id)
                .containsExactly("cloud/gpt-x");
        assertThat(config.routing().of("closed"))
                .isEqualTo(new Routing.ModelRouting(null, Routing.Strategy.LEAST_LATENCY, List.of("open")));
        assertThat(config.routing().of("open").fallback()).isEmpty();
    }

    @Test
    void anAliasServesTheDeploymentsOfTheModelItNamesThroughAChain() throws Exception {
        GatewayConfig config = parse(PROVIDERS + """
                  open: [{provider: local, model: llama}]
                  default: latest
                  latest: open
                """);

        assertThat(config.models().get("default")).isEqualTo(config.models().get("open"));
        assertThat(config.routing().of("default").aliasOf()).isEqualTo("open");
        assertThat(config.routing().of("latest").aliasOf()).isEqualTo("open");
    }

    @Test
    void refusesAnAliasCycleAtTheAliasWithTheWholeChain() {
        List<ConfigProblem> problems = problemsOf(PROVIDERS + """
                  open: [{provider: local, model: llama}]
                  a: b
                  b: a
                """);

        assertThat(problems).extracting(ConfigProblem::field).containsExactly("models.a", "models.b");
        assertThat(problems.get(0))
                .extracting(ConfigProblem::line, ConfigProblem::column)
                .containsExactly(7, 6);
        assertThat(problems.get(0).message()).contains("alias cycle a -> b -> a");
    }

    @Test
    void refusesAFallbackCycleAtTheFallbackThatClosesIt() {
        List<ConfigProblem> problems = problemsOf(PROVIDERS + """
                  closed:
                    deployments: [{provider: cloud, model: gpt-x}]
                    fallback: [open]
                  open:
                    deployments: [{provider: local, model: llama}]
                    fallback: [closed-alias]
                  closed-alias: closed
                """);

        assertThat(problems)
                .extracting(ConfigProblem::field)
                .containsExactly("models.closed.fallback", "models.open.fallback");
        assertThat(problems.get(0))
                .extracting(ConfigProblem::line, ConfigProblem::column)
                .containsExactly(8, 16);
        assertThat(problems.get(0).message()).contains("fallback cycle closed -> open -> closed");
        assertThat(problems.get(1).message()).contains("fallback cycle open -> closed -> open");
    }

    @Test
    void refusesAModelThatFallsBackToItself() {
        List<ConfigProblem> problems = problemsOf(PROVIDERS + """
                  closed:
                    deployments: [{provider: cloud, model: gpt-x}]
                    fallback: [closed]
                """);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("models.closed.fallback");
            assertThat(p.message()).contains("cannot fall back to itself");
        });
    }

    @Test
    void refusesDanglingNamesInAliasesAndFallbacksNamingTheKnownOnes() {
        List<ConfigProblem> problems = problemsOf(PROVIDERS + """
                  closed:
                    deployments: [{provider: cloud, model: gpt-x}]
                    fallback: [opne]
                  default: clsoed
                """);

        assertThat(problems)
                .extracting(ConfigProblem::field, ConfigProblem::line, ConfigProblem::column)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("models.closed.fallback[0]", 8, 16),
                        org.assertj.core.groups.Tuple.tuple("models.default", 9, 12));
        assertThat(problems.get(0).message()).contains("unknown model 'opne'").contains("closed, default");
        assertThat(problems.get(1).message()).contains("alias of unknown model 'clsoed'");
    }

    @Test
    void refusesAnUnknownStrategyAndAnUnknownFieldOfAModel() {
        List<ConfigProblem> problems = problemsOf(PROVIDERS + """
                  closed:
                    deployments: [{provider: cloud, model: gpt-x}]
                    strategy: fastest
                    fall-back: []
                """);

        assertThat(problems)
                .extracting(ConfigProblem::field)
                .containsExactlyInAnyOrder("models.closed.strategy", "models.closed.fall-back");
        assertThat(problems)
                .anySatisfy(p -> assertThat(p.message()).contains("priority, least-latency, least-cost"))
                .anySatisfy(p -> assertThat(p.message()).contains("did you mean fallback?"));
    }

    @Test
    void requiresTheDeploymentsOfAMappedModel() {
        assertThat(problemsOf(PROVIDERS + "  closed: {fallback: []}\n"))
                .singleElement()
                .satisfies(p -> assertThat(p.field()).isEqualTo("models.closed.deployments"));
    }

    @Test
    void readsHealthChecksOutlierEjectionAndPins() throws Exception {
        GatewayConfig config = parse(PROVIDERS + """
                  closed:
                    - {provider: cloud, model: gpt-x}
                    - {provider: local, model: gpt-x}
                routing:
                  health_check: {interval: 5s, timeout: 500ms}
                  outlier_ejection: {factor: 4, min_latency: 1s}
                  pins: {acme: {closed: local/gpt-x}}
                """);

        assertThat(config.routing().healthCheck())
                .isEqualTo(new Routing.HealthCheck(Duration.ofSeconds(5), Duration.ofMillis(500), "/models"));
        assertThat(config.routing().outlier()).isEqualTo(new Routing.Outlier(4, Duration.ofSeconds(1)));
        assertThat(config.routing().pins()).isEqualTo(Map.of("acme", Map.of("closed", "local/gpt-x")));
    }

    @Test
    void healthChecksAndEjectionAreOffUnlessWritten() throws Exception {
        GatewayConfig config = parse(ConfigLoaderTest.MINIMAL);

        assertThat(config.routing().healthCheck()).isNull();
        assertThat(config.routing().outlier()).isNull();
        assertThat(config.routing().pins()).isEmpty();
    }

    @Test
    void refusesAPinToADeploymentTheModelDoesNotHave() {
        List<ConfigProblem> problems = problemsOf(PROVIDERS + """
                  closed: [{provider: cloud, model: gpt-x}]
                routing:
                  pins: {acme: {closed: local/gpt-x, other: cloud/gpt-x}}
                  outlier_ejection: {factor: 1}
                """);

        assertThat(problems)
                .extracting(ConfigProblem::field)
                .containsExactlyInAnyOrder(
                        "routing.pins.acme.closed", "routing.pins.acme.other", "routing.outlier_ejection.factor");
        assertThat(problems)
                .anySatisfy(p -> assertThat(p.message()).contains("not a deployment of model 'closed'"))
                .anySatisfy(p -> assertThat(p.message()).contains("unknown model 'other'"));
    }

    @Test
    void pricesMayBeGivenForTheDeploymentsOfAMappedModel() throws Exception {
        GatewayConfig config = parse(PROVIDERS + """
                  closed:
                    deployments: [{provider: cloud, model: gpt-x}]
                prices:
                  closed:
                    - {deployment: cloud/gpt-x, currency: USD, effective_from: 2026-01-01, input_per_million: 1}
                """);

        assertThat(config.billing().prices().prices()).hasSize(1);
    }
}
