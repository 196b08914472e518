package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.route.DeploymentHealth;
import dev.tollgate.sim.Fault;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.testing.GatewayFixture;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Active health checks, outlier ejection and the least-latency strategy, end to end: model {@code pair} has sim-x
 * first and sim-b second; sim-x is a simulator this test stops and starts again on the same port, as a host that goes
 * down and comes back.
 */
class ActiveHealthTest {
    private static final String ROUTING = """
            timeouts: {connect: 1s, first_byte: 5s, idle: 5s, request: 15s}
            routing:
              retries: 0
              health_check: {interval: 200ms, timeout: 500ms}
              breaker: {consecutive_failures: 3, open_for: 60s, half_open_calls: 1}
            """;
    private static Vertx vertx;
    private static int port;
    private static ProviderSimulator simX;
    private static GatewayFixture fixture;
    private static OpenAIClient openAi;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        simX = startX(0);
        port = simX.port();
        fixture = GatewayFixture.start(
                "timeouts: {first_byte: 20s, request: 60s}\n",
                Duration.ZERO,
                "  sim-x: {type: openai, base_url: " + simX.baseUrl() + ", api_key: ${UPSTREAM_KEY}}\n",
                """
                  pair:
                    - {provider: sim-x, model: sim-chat, priority: 1}
                    - {provider: sim-b, model: sim-chat, priority: 2}
                  fastest:
                    strategy: least-latency
                    deployments:
                      - {provider: sim-x, model: sim-chat}
                      - {provider: sim-b, model: sim-chat}
                  even:
                    - {provider: sim-x, model: sim-chat}
                    - {provider: sim-b, model: sim-chat}
                """);
        openAi = fixture.openAi();
        for (int i = 0; i < 2; i++) {
            servedBy("pair");
        }
        apply(ROUTING);
    }

    private static ProviderSimulator startX(int port) {
        return ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-x").withPort(port).withApiKey(GatewayFixture.UPSTREAM_KEY));
    }

    private static void apply(String extra) throws Exception {
        fixture.gateway.apply(ConfigLoader.parse(fixture.yaml(extra), fixture.configFile, fixture.env));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        simX.close();
        vertx.close().await();
    }

    @BeforeEach
    void healthy() throws Exception {
        apply(ROUTING);
        fixture.reset();
        simX.fault(Fault.none());
    }

    private static String servedBy(String model) {
        try (HttpResponseFor<ChatCompletion> r = openAi.chat()
                .completions()
                .withRawResponse()
                .create(ChatCompletionCreateParams.builder()
                        .model(model)
                        .addUserMessage("Tell me something")
                        .build())) {
            r.parse();
            return r.headers().values("x-tollgate-deployment").getFirst();
        }
    }

    private static CircuitBreaker.State breakerOfX() {
        return fixture.gateway.health().snapshots().stream()
                .filter(s -> s.id().equals("sim-x/sim-chat"))
                .map(DeploymentHealth.Snapshot::state)
                .findFirst()
                .orElse(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aHostThatGoesDownIsTakenOutByTheHealthCheckAndBroughtBackWhenItServesAgain() {
        assertThat(servedBy("pair")).isEqualTo("sim-x/sim-chat");

        simX.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> breakerOfX() == CircuitBreaker.State.OPEN);
        long before = fixture.simB.requests().size();
        assertThat(servedBy("pair")).isEqualTo("sim-b/sim-chat");
        assertThat(fixture.simB.requests()).hasSize((int) before + 1);

        simX = startX(port); // back, on the same address
        // open_for is 60 s: only the health check can bring it back this soon.
        await().atMost(Duration.ofSeconds(5)).until(() -> breakerOfX() == CircuitBreaker.State.HALF_OPEN);
        await().atMost(Duration.ofSeconds(5)).until(() -> servedBy("pair").equals("sim-x/sim-chat"));
        assertThat(breakerOfX()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void leastLatencyMovesTrafficToTheFasterDeployment() {
        simX.fault(Fault.slowFirstByte(Duration.ofMillis(400)));
        for (int i = 0; i < 3; i++) {
            servedBy("fastest"); // each deployment is measured once, unmeasured ones first
        }

        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            served.merge(servedBy("fastest"), 1, Integer::sum);
        }

        assertThat(served).isEqualTo(Map.of("sim-b/sim-chat", 6));
    }

    @Test
    void aDeploymentFarSlowerThanItsPeerIsEjected() throws Exception {
        apply(ROUTING + "  outlier_ejection: {factor: 3, min_latency: 300ms}\n");
        simX.fault(Fault.slowFirstByte(Duration.ofMillis(1500)));

        // Equal priorities: traffic splits, so both are measured, until the sweep (every second) ejects sim-x.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            servedBy("even");
            return breakerOfX() == CircuitBreaker.State.OPEN;
        });

        for (int i = 0; i < 4; i++) {
            assertThat(servedBy("even")).isEqualTo("sim-b/sim-chat");
        }
    }
}
