package dev.tollgate.bench;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.route.Deployment;
import dev.tollgate.route.HealthOrder;
import dev.tollgate.route.RouteHealth;
import dev.tollgate.route.RoutePlanner;
import dev.tollgate.route.RouteTable;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What health-based routing adds to one request with closed breakers: plan, order by health, one successful attempt
 * reported, unused slots released; against planning alone; and the planner's allocating path (a strategy other than
 * priority, a fallback model).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteHealthBenchmark {
    private RouteTable table;
    private RoutePlanner planner;
    private RouteHealth health;

    @Setup
    public void setUp() throws Exception {
        GatewayConfig config = ConfigLoader.parse("""
                listen: 127.0.0.1:0
                providers:
                  a: {type: openai, base_url: http://127.0.0.1:1/v1}
                  b: {type: openai, base_url: http://127.0.0.1:2/v1}
                  c: {type: openai, base_url: http://127.0.0.1:3/v1}
                models:
                  m:
                    - {provider: a, model: x, priority: 1}
                    - {provider: b, model: x, priority: 2}
                  fast:
                    strategy: least-latency
                    deployments: [{provider: a, model: x}, {provider: b, model: x}]
                    fallback: [open]
                  open: [{provider: c, model: llama}]
                """, Path.of("bench.yaml").toAbsolutePath(), Map.of());
        table = RouteTable.of(config);
        health = new RouteHealth(config, Clock.systemUTC());
        planner = new RoutePlanner(null, health::latencyMicros, Clock.systemUTC());
    }

    @Benchmark
    public List<Deployment> planOnly() {
        return planner.plan(table, "m");
    }

    /** least-latency over two deployments plus one fallback model's: the allocating path of the planner. */
    @Benchmark
    public List<Deployment> planLeastLatencyWithFallback() {
        return planner.plan(table, "fast", "acme");
    }

    @Benchmark
    public HealthOrder planOrderAndReport() {
        HealthOrder order = health.order(planner.plan(table, "m"));
        order.succeeded(0, 1_000_000);
        order.releaseUnused();
        return order;
    }
}
