package dev.tollgate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.sim.Fault;
import dev.tollgate.testing.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on the admin listener: Prometheus text with request, token, latency and attempt series derived
 * from the usage records, and gauges for breakers, requests in flight and the ledger backlog.
 */
class MetricsEndpointTest {
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_:]+)\\{([^}]*)\\} ([-0-9.eE+NaInf]+)$");
    private static GatewayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start("""
                timeouts: {connect: 1s, first_byte: 2s, idle: 2s, request: 5s}
                routing:
                  retries: 0
                  breaker: {consecutive_failures: 2, open_for: 1m}
                """, Duration.ZERO);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @Test
    void counts_requests_tokens_and_attempts_exactly_as_the_upstreams_served_them() throws Exception {
        fixture.reset();
        String before = settledScrape();
        fixture.simA.resetStats();
        fixture.simB.resetStats();
        for (int i = 0; i < 3; i++) {
            assertThat(chat(false).statusCode()).isEqualTo(200);
        }
        assertThat(chat(true).statusCode()).isEqualTo(200);
        // sim-a fails once: the request falls back to sim-b, two attempts.
        fixture.simA.fault(Fault.status(500), 1);
        assertThat(chat(false).statusCode()).isEqualTo(200);

        var simA = fixture.simA.stats();
        var simB = fixture.simB.stats();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Delta text = new Delta(before, scrape());
            Map<String, String> okA = Map.of("model", "chat-small", "provider", "sim-a", "status", "ok");
            Map<String, String> okB = Map.of("model", "chat-small", "provider", "sim-b", "status", "ok");
            assertThat(text.of("tollgate_requests_total", okA)).isEqualTo(4);
            assertThat(text.of("tollgate_requests_total", okB)).isEqualTo(1);
            assertThat(text.of("tollgate_tokens_total", Map.of("provider", "sim-a", "kind", "prompt")))
                    .isEqualTo(simA.promptTokens());
            assertThat(text.of("tollgate_tokens_total", Map.of("provider", "sim-a", "kind", "completion")))
                    .isEqualTo(simA.completionTokens());
            assertThat(text.of("tollgate_tokens_total", Map.of("provider", "sim-b", "kind", "completion")))
                    .isEqualTo(simB.completionTokens());
            assertThat(text.of("tollgate_request_attempts_sum", okB)).isEqualTo(2);
            assertThat(text.of("tollgate_request_duration_seconds_count", okA)).isEqualTo(4);
            assertThat(text.of("tollgate_request_duration_seconds_bucket", Map.of("provider", "sim-a", "le", "+Inf")))
                    .isEqualTo(4);
        });
    }

    @Test
    void shows_each_deployments_circuit_breaker_and_the_gauges() throws Exception {
        fixture.reset();
        fixture.simA.fault(Fault.status(503));
        for (int i = 0; i < 2; i++) {
            assertThat(chat(false).statusCode()).isEqualTo(200); // served by sim-b
        }
        String text = scrape();
        assertThat(sum(text, "tollgate_deployment_breaker_state", Map.of("deployment", "sim-a/sim-chat")))
                .as("sim-a open after two failures in a row")
                .isEqualTo(2);
        assertThat(sum(text, "tollgate_deployment_breaker_state", Map.of("deployment", "sim-b/sim-chat")))
                .as("sim-b closed")
                .isZero();
        assertThat(text).contains("tollgate_deployment_breaker_state{deployment=\"sim-b/sim-chat\"}");
        assertThat(text).containsPattern("(?m)^tollgate_requests_in_flight [0-9.]+$");
        assertThat(text).containsPattern("(?m)^tollgate_ledger_backlog [0-9.]+$");
        assertThat(text).contains("jvm_memory_used_bytes");
    }

    @Test
    void needs_the_admin_token_and_never_shows_a_key() throws Exception {
        HttpResponse<String> anonymous = fixture.adminRaw("GET", "/metrics", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("x-request-id")).isPresent();

        chat(false);
        String text = scrape();
        assertThat(text)
                .doesNotContain(GatewayFixture.ACME_KEY)
                .doesNotContain(GatewayFixture.UPSTREAM_KEY)
                .doesNotContain(GatewayFixture.ADMIN_TOKEN);
    }

    private static HttpResponse<String> chat(boolean stream) throws Exception {
        return http.send(fixture.chatRequest("chat-small", stream, "Count me"), HttpResponse.BodyHandlers.ofString());
    }

    /** What the counters gained between two scrapes: the tests share one gateway. */
    private record Delta(String before, String after) {
        double of(String metric, Map<String, String> labels) {
            return sum(after, metric, labels) - sum(before, metric, labels);
        }
    }

    /** A scrape once every earlier request's record is stored (metrics follow the store). */
    private static String settledScrape() throws Exception {
        fixture.usage("acme"); // flushes the ledger
        return scrape();
    }

    private static String scrape() throws Exception {
        HttpResponse<String> r = fixture.adminRaw("GET", "/metrics", null, GatewayFixture.ADMIN_TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return r.body();
    }

    /** The sum of every sample of {@code metric} whose labels include all of {@code labels}. */
    private static double sum(String text, String metric, Map<String, String> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches() || !m.group(1).equals(metric)) {
                continue;
            }
            String got = m.group(2);
            boolean all =
                    labels.entrySet().stream().allMatch(e -> got.contains(e.getKey() + "=\"" + e.getValue() + "\""));
            if (all) {
                total += Double.parseDouble(m.group(3));
            }
        }
        return total;
    }
}
