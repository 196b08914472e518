package dev.tollgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoutePlannerTest {
    private static GatewayConfig config(String models) throws Exception {
        return ConfigLoader.parse("""
                listen: 127.0.0.1:0
                providers:
                  a: {type: openai, base_url: http://127.0.0.1:1/v1}
                  b: {type: openai, base_url: http://127.0.0.1:2/v1}
                  c: {type: openai, base_url: http://127.0.0.1:3/v1}
                models:
                """ + models, Path.of("test.yaml").toAbsolutePath(), Map.of());
    }

    private static List<String> ids(List<Deployment> plan) {
        return plan.stream().map(Deployment::id).toList();
    }

    @Test
    void triesLowerPriorityFirstWhateverTheFileOrder() throws Exception {
        RouteTable table = RouteTable.of(config("""
                  m:
                    - {provider: c, model: x, priority: 3}
                    - {provider: a, model: x, priority: 1}
                    - {provider: b, model: x, priority: 2}
                """));

        assertThat(ids(new RoutePlanner().plan(table, "m"))).containsExactly("a/x", "b/x", "c/x");
    }

    @Test
    void splitsTrafficByWeightWithinAPriorityAndKeepsEveryoneAsFallback() throws Exception {
        RouteTable table = RouteTable.of(config("""
                  m:
                    - {provider: a, model: x, priority: 1, weight: 3}
                    - {provider: b, model: x, priority: 1, weight: 1}
                    - {provider: c, model: x, priority: 2}
                """));
        RoutePlanner planner = new RoutePlanner(new SplittableRandom(42));
        Map<String, Integer> first = new HashMap<>();

        for (int i = 0; i < 20_000; i++) {
            List<String> plan = ids(planner.plan(table, "m"));
            assertThat(plan).hasSize(3).endsWith("c/x").containsExactlyInAnyOrder("a/x", "b/x", "c/x");
            first.merge(plan.getFirst(), 1, Integer::sum);
        }

        // 3:1 weights: a leads three quarters of the time (±2% over 20,000 draws).
        assertThat(first.get("a/x") / 20_000.0).isBetween(0.73, 0.77);
    }

    @Test
    void knowsNoDeploymentsForAnUnknownModel() throws Exception {
        assertThat(new RoutePlanner().plan(RouteTable.of(config("  m: [{provider: a, model: x}]\n")), "other"))
                .isEmpty();
    }

    private static List<String> served(List<Deployment> plan) {
        return plan.stream().map(d -> d.id() + " for " + d.model()).toList();
    }

    @Test
    void triesTheFallbackModelsDeploymentsAfterItsOwnBreadthFirstEachTaggedWithTheModelItServes() throws Exception {
        RouteTable table = RouteTable.of(config("""
                  closed:
                    deployments: [{provider: a, model: gpt}]
                    fallback: [open, cheap]
                  open:
                    deployments: [{provider: b, model: llama}, {provider: a, model: gpt, priority: 2}]
                    fallback: [tiny]
                  cheap: [{provider: c, model: mini}]
                  tiny: [{provider: c, model: tiny}]
                """));

        // a/gpt appears under both closed and open: it is one upstream deployment, tried once.
        assertThat(served(new RoutePlanner().plan(table, "closed")))
                .containsExactly("a/gpt for closed", "b/llama for open", "c/mini for cheap", "c/tiny for tiny");
        assertThat(served(new RoutePlanner().plan(table, "open")))
                .containsExactly("b/llama for open", "a/gpt for open", "c/tiny for tiny");
    }

    @Test
    void plansAnAliasAsTheModelItNames() throws Exception {
        RouteTable table = RouteTable.of(config("""
                  open: {deployments: [{provider: b, model: llama}], fallback: [tiny]}
                  tiny: [{provider: c, model: tiny}]
                  default: open
                """));

        assertThat(served(new RoutePlanner().plan(table, "default")))
                .containsExactly("b/llama for open", "c/tiny for tiny");
        assertThat(table.canonical("default")).isEqualTo("open");
    }

    @Test
    void leastLatencyTriesTheFastestFirstAndDeploymentsNeverMeasuredBeforeAll() throws Exception {
        RouteTable table = RouteTable.of(config("""
                  m:
                    strategy: least-latency
                    deployments:
                      - {provider: a, model: x, priority: 1}
                      - {provider: b, model: x, priority: 2}
                      - {provider: c, model: x, priority: 3}
                """));
        Map<String, Long> latency = new HashMap<>(Map.of("a/x", 900_000L, "b/x", 200_000L));
        RoutePlanner planner = new RoutePlanner(
                new SplittableRandom(1), id -> latency.getOrDefault(id, -1L), java.time.Clock.systemUTC());

        assertThat(ids(planner.plan(table, "m"))).containsExactly("c/x", "b/x", "a/x");

        latency.put("c/x", 500_000L);
        assertThat(ids(planner.plan(table, "m"))).containsExactly("b/x", "c/x", "a/x");
    }

    @Test
    void leastCostTriesTheCheapestPriceInEffectFirstAndUnpricedDeploymentsLast() throws Exception {
        RouteTable table = RouteTable.of(config("""
                  m:
                    strategy: least-cost
                    deployments:
                      - {provider: a, model: x, priority: 1}
                      - {provider: b, model: x, priority: 2}
                      - {provider: c, model: x, priority: 3}
                prices:
                  m:
                    - {deployment: a/x, currency: USD, effective_from: 2026-01-01, input_per_million: 3,
                       output_per_million: 15}
                    - {deployment: b/x, currency: USD, effective_from: 2026-01-01, input_per_million: 1,
                       output_per_million: 2}
                    - {deployment: b/x, currency: USD, effective_from: 2026-12-01, input_per_million: 9,
                       output_per_million: 90}
                """));
        java.time.Clock november =
                java.time.Clock.fixed(java.time.Instant.parse("2026-11-15T00:00:00Z"), java.time.ZoneOffset.UTC);
        java.time.Clock december =
                java.time.Clock.fixed(java.time.Instant.parse("2026-12-15T00:00:00Z"), java.time.ZoneOffset.UTC);

        assertThat(ids(new RoutePlanner(new SplittableRandom(1), id -> -1, november).plan(table, "m")))
                .containsExactly("b/x", "a/x", "c/x");
        // b's December price took effect: a is now the cheaper one.
        assertThat(ids(new RoutePlanner(new SplittableRandom(1), id -> -1, december).plan(table, "m")))
                .containsExactly("a/x", "b/x", "c/x");
    }

    @Test
    void aPinnedTenantTriesItsDeploymentFirstAndKeepsTheOthersAsFallback() throws Exception {
        RouteTable table = RouteTable.of(config("""
                  m:
                    - {provider: a, model: x, priority: 1}
                    - {provider: b, model: x, priority: 2}
                    - {provider: c, model: x, priority: 3}
                  alias: m
                routing:
                  pins: {acme: {m: c/x}}
                """));
        RoutePlanner planner = new RoutePlanner();

        assertThat(ids(planner.plan(table, "m", "acme"))).containsExactly("c/x", "a/x", "b/x");
        assertThat(ids(planner.plan(table, "alias", "acme"))).containsExactly("c/x", "a/x", "b/x");
        assertThat(ids(planner.plan(table, "m", "globex"))).containsExactly("a/x", "b/x", "c/x");
        assertThat(ids(planner.plan(table, "m", null))).containsExactly("a/x", "b/x", "c/x");
    }
}
