package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sim.Fault;
import dev.tollgate.testing.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing that survives outages: circuit breakers per deployment (sim-a primary, sim-b fallback of chat-small;
 * chat-solo has sim-a only) and retries with back-off that honour retry-after and the request deadline.
 */
class RoutingHealthTest {
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String EXTRA = """
            timeouts: {connect: 1s, first_byte: 1s, idle: 1s, request: 3s}
            routing:
              retries: 2
              backoff_base: 20ms
              breaker: {failure_rate: 50, minimum_calls: 4, window: 4, consecutive_failures: 3, open_for: 1s,
                        half_open_calls: 1}
            """;
    private static GatewayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start(EXTRA, Duration.ZERO, "", """
                  chat-solo:
                    - {provider: sim-a, model: sim-chat}
                """);
        // The first answers of a fresh JVM take hundreds of ms; warm up so no test meets a cold first_byte timeout.
        for (int i = 0; i < 4; i++) {
            chat(i % 2 == 0 ? "chat-small" : "chat-solo", i < 2);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void healthy() {
        fixture.reset();
    }

    private static HttpResponse<String> chat(String model, boolean stream) throws Exception {
        return http.send(fixture.chatRequest(model, stream, "Tell me something"), HttpResponse.BodyHandlers.ofString());
    }

    private static String servedBy(HttpResponse<String> r) {
        return r.headers().firstValue("x-tollgate-deployment").orElse("none");
    }

    private static JsonNode route(String model) throws Exception {
        return fixture.admin("GET", "/admin/v1/route?model=" + model + "&tenant=acme", null);
    }

    private static List<String> order(JsonNode route) {
        List<String> ids = new ArrayList<>();
        route.path("candidates").forEach(c -> ids.add(c.path("deployment").asText()));
        return ids;
    }

    /** Three failures in a row on sim-a (each request still answered by sim-b) open its breaker. */
    private static void openPrimary() throws Exception {
        fixture.simA.fault(Fault.status(500));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat("chat-small", false);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(servedBy(r)).isEqualTo("sim-b/sim-chat");
        }
        assertThat(fixture.simA.requests()).hasSize(3);
    }

    @Test
    void theBreakerOpensAfterRepeatedFailuresAndThePrimaryIsThenSkipped() throws Exception {
        openPrimary();
        fixture.simA.clearRequests();
        ch.qos.logback.classic.Logger exchangeLog =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Exchange.class);
        ch.qos.logback.classic.Level level = exchangeLog.getLevel();
        var logs = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        logs.start();
        exchangeLog.addAppender(logs);
        exchangeLog.setLevel(ch.qos.logback.classic.Level.DEBUG);

        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = chat("chat-small", i % 2 == 0);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(servedBy(r)).isEqualTo("sim-b/sim-chat");
            }
        } finally {
            exchangeLog.detachAppender(logs);
            exchangeLog.setLevel(level);
        }

        assertThat(logs.list)
                .filteredOn(e -> e.getFormattedMessage().contains("sim-a/sim-chat has an open circuit breaker"))
                .hasSize(5)
                .allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG));

        assertThat(fixture.simA.requests())
                .as("sim-a gets nothing while its breaker is open")
                .isEmpty();
        assertThat(fixture.simB.requests()).hasSize(8);
    }

    @Test
    void afterOpenForAHalfOpenProbeGoesToThePrimaryAndItsSuccessMakesItPrimaryAgain() throws Exception {
        openPrimary();
        fixture.simA.fault(Fault.none());
        fixture.simA.clearRequests();

        // Requests go to sim-b until open_for (1 s) is over; then one probe reaches sim-a and closes the breaker.
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> servedBy(chat("chat-small", false)).equals("sim-a/sim-chat"));

        assertThat(fixture.simA.requests()).hasSize(1);
        assertThat(route("chat-small").path("candidates").get(0).path("breaker").asText())
                .isEqualTo("closed");
        assertThat(servedBy(chat("chat-small", false))).isEqualTo("sim-a/sim-chat");
    }

    @Test
    void whenEveryDeploymentIsOpenTheyAreStillTriedInOrder() throws Exception {
        fixture.simA.fault(Fault.status(500));
        fixture.simB.fault(Fault.status(500));
        assertThat(chat("chat-small", false).statusCode()).isEqualTo(502);
        JsonNode open = route("chat-small");
        assertThat(open.path("candidates"))
                .allSatisfy(c -> assertThat(c.path("breaker").asText()).isEqualTo("open"));
        fixture.simA.fault(Fault.none());
        fixture.simB.fault(Fault.none());
        fixture.simA.clearRequests();

        HttpResponse<String> r = chat("chat-small", false);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(servedBy(r)).isEqualTo("sim-a/sim-chat");
        assertThat(fixture.simA.requests()).hasSize(1);
    }

    @Test
    void aRateLimitWithRetryAfterOnTheOnlyDeploymentIsRetriedAfterTheWaitAndSucceeds() throws Exception {
        // The simulator sends retry-after: 1 (whole seconds) and retry-after-ms: 300; the finer one is honoured.
        fixture.simA.fault(Fault.status(429, null, Duration.ofMillis(300)), 1);

        long start = System.nanoTime();
        HttpResponse<String> r = chat("chat-solo", false);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(servedBy(r)).isEqualTo("sim-a/sim-chat");
        assertThat(fixture.simA.requests()).hasSize(2);
        assertThat(millis).isBetween(300L, 950L);
    }

    @Test
    void aRetryAfterLongerThanTheRequestDeadlineIsNotWaitedFor() throws Exception {
        fixture.simA.fault(Fault.status(429, null, Duration.ofSeconds(5)));

        long start = System.nanoTime();
        HttpResponse<String> r = chat("chat-solo", false);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).hasValue("5");
        assertThat(r.body()).contains("request deadline");
        assertThat(fixture.simA.requests()).hasSize(1);
        assertThat(millis).isLessThan(1_000L);
    }

    @Test
    void retriesWithBackOffUntilTheRetriesAreUsedUp() throws Exception {
        fixture.simA.fault(Fault.status(502));

        HttpResponse<String> r = chat("chat-solo", false);

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(fixture.simA.requests()).as("one try and two retries").hasSize(3);
    }

    @Test
    void aStreamCutAfterTheFirstByteIsNeverRetried() throws Exception {
        fixture.simA.fault(Fault.cutStreamAfter(3));

        HttpResponse<String> r = chat("chat-solo", true);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("stream_interrupted").doesNotContain("[DONE]");
        assertThat(fixture.simA.requests()).hasSize(1);
    }

    @Test
    void theAdminRouteShowsTheOrderTheRouterWouldTryAndEachBreakersState() throws Exception {
        JsonNode healthy = route("chat-small");
        assertThat(order(healthy)).containsExactly("sim-a/sim-chat", "sim-b/sim-chat");
        assertThat(healthy.path("tenant").asText()).isEqualTo("acme");
        assertThat(healthy.path("candidates").get(0).path("breaker").asText()).isEqualTo("closed");

        openPrimary();
        JsonNode degraded = route("chat-small");

        assertThat(order(degraded)).containsExactly("sim-b/sim-chat", "sim-a/sim-chat");
        JsonNode a = degraded.path("candidates").get(1);
        assertThat(a.path("breaker").asText()).isEqualTo("open");
        assertThat(a.path("deferred").asBoolean()).isTrue();
        assertThat(a.path("consecutive_failures").asInt()).isEqualTo(3);
        assertThat(a.path("failures").path("server_error").asInt()).isEqualTo(3);
        JsonNode b = degraded.path("candidates").get(0);
        assertThat(b.path("breaker").asText()).isEqualTo("closed");
        assertThat(b.path("latency_ms").isNumber()).isTrue();
        assertThat(fixture.adminRaw("GET", "/admin/v1/route?model=no-such-model", null, GatewayFixture.ADMIN_TOKEN)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void anOpenBreakerSurvivesAConfigurationReloadThatKeepsItsDeployment() throws Exception {
        openPrimary();
        var original = fixture.gateway.config();
        try {
            // Same deployments, another idle timeout: a reload that keeps every deployment id.
            fixture.gateway.apply(dev.tollgate.config.ConfigLoader.parse(
                    fixture.yaml(EXTRA.replace("idle: 1s", "idle: 2s")), fixture.configFile, fixture.env));

            JsonNode route = route("chat-small");
            assertThat(order(route)).containsExactly("sim-b/sim-chat", "sim-a/sim-chat");
            assertThat(route.path("candidates").get(1).path("breaker").asText()).isEqualTo("open");
        } finally {
            fixture.gateway.apply(original);
        }
    }
}
