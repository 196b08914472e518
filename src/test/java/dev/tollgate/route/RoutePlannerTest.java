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
}
