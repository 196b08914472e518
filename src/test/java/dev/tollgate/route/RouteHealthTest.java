package dev.tollgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Passive health and the order it gives, on a clock the test moves. */
class RouteHealthTest {
    private static final long MS = 1_000_000;

    /** A clock that only moves when told to. */
    private static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-11-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static GatewayConfig config(String models, String routing) throws Exception {
        return ConfigLoader.parse("""
                listen: 127.0.0.1:0
                providers:
                  a: {type: openai, base_url: http://127.0.0.1:1/v1}
                  b: {type: openai, base_url: http://127.0.0.1:2/v1}
                  c: {type: openai, base_url: http://127.0.0.1:3/v1}
                models:
                """ + models + routing, Path.of("test.yaml").toAbsolutePath(), Map.of());
    }

    private static final String THREE = """
              m:
                - {provider: a, model: x, priority: 1}
                - {provider: b, model: x, priority: 2}
                - {provider: c, model: x, priority: 3}
            """;
    private static final String BREAKER = """
            routing:
              breaker: {failure_rate: 50, minimum_calls: 4, window: 4, consecutive_failures: 0, open_for: 10s,
                        half_open_calls: 1}
            """;

    private final TestClock clock = new TestClock();

    private static List<String> ids(HealthOrder order) {
        return order.deployments().stream().map(Deployment::id).toList();
    }

    /** Runs one request whose first attempt fails (or succeeds) and releases the rest. */
    private static void attempt(RouteHealth health, List<Deployment> plan, boolean ok) {
        HealthOrder order = health.order(plan);
        if (ok) {
            order.succeeded(0, 5 * MS);
        } else {
            order.failed(0, AttemptFailure.SERVER_ERROR, 5 * MS);
        }
        order.releaseUnused();
    }

    @Test
    void allHealthyKeepsThePlannedOrderAndTheSameList() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");

        HealthOrder order = health.order(plan);

        assertThat(order.deployments()).isSameAs(plan);
        assertThat(order.admitted()).isEqualTo(3);
    }

    @Test
    void aDeploymentWhoseFailureRateCrossesTheThresholdMovesBehindTheHealthyOnes() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");

        attempt(health, plan, true);
        attempt(health, plan, false);
        attempt(health, plan, true);
        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.CLOSED);
        attempt(health, plan, false); // 2 of 4 failed: 50%

        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.OPEN);
        HealthOrder order = health.order(plan);
        assertThat(ids(order)).containsExactly("b/x", "c/x", "a/x");
        assertThat(order.deferred(2)).isTrue();
        assertThat(order.deferred(1)).isFalse();
        order.releaseUnused();
    }

    @Test
    void afterOpenForOneProbeGoesFirstAndItsSuccessClosesTheBreaker() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");
        for (int i = 0; i < 4; i++) {
            attempt(health, plan, false);
        }
        assertThat(ids(health.order(plan))).startsWith("b/x");

        clock.advance(Duration.ofSeconds(10));
        assertThat(health.preview(plan).getFirst().deployment().id()).isEqualTo("b/x");
        clock.advance(Duration.ofMillis(1));
        assertThat(health.preview(plan).getFirst().deployment().id()).isEqualTo("a/x");

        HealthOrder probe = health.order(plan);
        assertThat(ids(probe)).startsWith("a/x");
        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        // Only one probe slot: a concurrent request keeps a/x behind.
        HealthOrder concurrent = health.order(plan);
        assertThat(ids(concurrent)).containsExactly("b/x", "c/x", "a/x");
        concurrent.releaseUnused();

        probe.succeeded(0, 3 * MS);
        probe.releaseUnused();

        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(ids(health.order(plan))).startsWith("a/x");
    }

    @Test
    void anUnusedProbeSlotIsGivenBack() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");
        for (int i = 0; i < 4; i++) {
            attempt(health, plan, false);
        }
        clock.advance(Duration.ofSeconds(11));

        health.order(plan).releaseUnused();

        assertThat(ids(health.order(plan))).startsWith("a/x");
    }

    @Test
    void whenEveryBreakerIsOpenEveryDeploymentIsStillOfferedInPlannedOrder() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");
        for (String id : List.of("a/x", "b/x", "c/x")) {
            health.health(id).tryAcquire();
            health.health(id).failed(AttemptFailure.CONNECT, MS, false);
        }
        for (int i = 0; i < 4; i++) {
            HealthOrder order = health.order(plan);
            for (int k = 0; k < 3; k++) {
                order.failed(k, AttemptFailure.CONNECT, MS);
            }
        }

        HealthOrder order = health.order(plan);

        assertThat(ids(order)).containsExactly("a/x", "b/x", "c/x");
        assertThat(order.admitted()).isZero();
    }

    @Test
    void consecutiveFailuresOpenTheBreakerBeforeTheMinimumNumberOfCalls() throws Exception {
        GatewayConfig config = config(THREE, """
                routing:
                  breaker: {minimum_calls: 10, consecutive_failures: 3}
                """);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");

        attempt(health, plan, false);
        attempt(health, plan, false);
        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.CLOSED);
        attempt(health, plan, false);

        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.health("a/x").snapshot().consecutiveFailures()).isEqualTo(3);
        assertThat(health.health("a/x").snapshot().failures()).containsEntry(AttemptFailure.SERVER_ERROR, 3L);
    }

    @Test
    void healthSurvivesAReloadForUnchangedIdsAndForgetsRemovedOnes() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");
        for (int i = 0; i < 4; i++) {
            HealthOrder order = health.order(plan);
            order.failed(0, AttemptFailure.CONNECT, MS);
            order.failed(1, AttemptFailure.CONNECT, MS);
            order.releaseUnused();
        }
        DeploymentHealth b = health.health("b/x");
        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.OPEN);

        health.reconfigure(config("""
                  m:
                    - {provider: a, model: x, priority: 1}
                    - {provider: c, model: x, priority: 3}
                """, BREAKER));

        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.health("b/x")).isNotSameAs(b);
        assertThat(health.health("b/x").state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void latencyToTheFirstByteIsAMovingAverage() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        DeploymentHealth a = health.health("a/x");

        a.succeeded(100 * MS, true);
        assertThat(a.snapshot().latencyMillis()).isEqualTo(100);
        a.succeeded(200 * MS, true);

        assertThat(a.snapshot().latencyMillis()).isEqualTo(120);
    }

    @Test
    void aFailedHealthCheckOpensTheBreakerBeforeAnyRequestPaysForIt() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");

        assertThat(health.probed(List.of("a/x"), AttemptFailure.CONNECT)).containsExactly("a/x");

        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.OPEN);
        HealthOrder order = health.order(plan);
        assertThat(ids(order)).containsExactly("b/x", "c/x", "a/x");
        order.releaseUnused();
    }

    @Test
    void aSuccessfulHealthCheckMakesAnOpenBreakerHalfOpenWithoutWaitingOutOpenFor() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");
        health.probed(List.of("a/x"), AttemptFailure.CONNECT);
        clock.advance(Duration.ofSeconds(1)); // far less than open_for (10 s)

        assertThat(health.probed(List.of("a/x", "b/x"), null)).containsExactly("a/x");

        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        HealthOrder probe = health.order(plan);
        assertThat(ids(probe)).first().isEqualTo("a/x");
        probe.succeeded(0, 5 * MS); // half_open_calls: 1
        probe.releaseUnused();
        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aPassingHealthCheckDoesNotReviveABreakerThatFailingRequestsOpened() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");
        for (int i = 0; i < 4; i++) {
            attempt(health, plan, false); // a answers 500 to requests, yet its host answers the check
        }
        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.OPEN);

        assertThat(health.probed(List.of("a/x"), null)).isEmpty();
        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void aHealthCheckFailingAgainKeepsAnOpenBreakerOpenForAnotherOpenFor() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        health.probed(List.of("a/x"), AttemptFailure.CONNECT);
        clock.advance(Duration.ofSeconds(9));

        assertThat(health.probed(List.of("a/x"), AttemptFailure.TIMEOUT)).isEmpty();
        clock.advance(Duration.ofSeconds(5)); // 14 s after the first failure, 5 s after the last

        List<Deployment> plan = new RoutePlanner().plan(RouteTable.of(config), "m");
        HealthOrder order = health.order(plan);
        assertThat(order.deferred(2)).isTrue();
        assertThat(ids(order)).last().isEqualTo("a/x");
        order.releaseUnused();
    }

    @Test
    void ejectsADeploymentFarSlowerThanItsPeersAndForgetsItsLatency() throws Exception {
        GatewayConfig config = config(THREE, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        RouteTable table = RouteTable.of(config);
        HealthOrder order = health.order(new RoutePlanner().plan(table, "m"));
        order.succeeded(0, 4_000 * MS); // a: 4 s
        order.succeeded(1, 100 * MS); // b: 100 ms
        order.succeeded(2, 150 * MS); // c: 150 ms
        order.releaseUnused();

        var outlier = new dev.tollgate.config.Routing.Outlier(3, Duration.ofMillis(500));
        assertThat(health.ejectOutliers(table, outlier)).containsExactly("a/x");

        assertThat(health.health("a/x").state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.latencyMicros("a/x")).isEqualTo(-1);
        assertThat(health.ejectOutliers(table, outlier)).isEmpty();
    }

    @Test
    void doesNotEjectBelowTheLatencyFloorNorTheLastClosedDeployment() throws Exception {
        GatewayConfig config = config("""
                  m:
                    - {provider: a, model: x, priority: 1}
                    - {provider: b, model: x, priority: 2}
                """, BREAKER);
        RouteHealth health = new RouteHealth(config, clock);
        RouteTable table = RouteTable.of(config);
        HealthOrder order = health.order(new RoutePlanner().plan(table, "m"));
        order.succeeded(0, 400 * MS);
        order.succeeded(1, 10 * MS);
        order.releaseUnused();
        var outlier = new dev.tollgate.config.Routing.Outlier(3, Duration.ofMillis(500));

        assertThat(health.ejectOutliers(table, outlier))
                .as("400 ms is under the floor")
                .isEmpty();

        HealthOrder slow = health.order(new RoutePlanner().plan(table, "m"));
        slow.succeeded(0, 20_000 * MS);
        slow.releaseUnused();
        health.probed(List.of("b/x"), AttemptFailure.CONNECT); // b is open: a is the only one left
        assertThat(health.ejectOutliers(table, outlier)).isEmpty();
    }
}
