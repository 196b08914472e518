package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.sim.Fault;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.testing.GatewayFixture;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault injection with the simulator: model {@code triple} has three deployments (sim-a, sim-b, then sim-c). Whatever
 * the first two do before their first byte (5xx, 429 with retry-after, a slow first byte, a reset, a stream cut
 * before its first event, a hang), the caller gets an answer from the healthy third, through the official SDKs, and
 * never waits past its request deadline (6 s here). When none is healthy, the caller gets an error in its dialect by
 * the deadline. Wall-clock bounds have 2 s of slack: the machine running the tests is shared.
 */
class FaultInjectionTest {
    private static final long DEADLINE_MILLIS = 6_000;
    private static final long SLACK_MILLIS = 2_000;
    private static final String TIGHT = """
            timeouts: {connect: 1s, first_byte: 1500ms, idle: 1s, request: 6s}
            routing:
              retries: 1
              backoff_base: 20ms
              breaker: {consecutive_failures: 0, minimum_calls: 1000, window: 1000}
            """;
    private static Vertx vertx;
    private static ProviderSimulator simC;
    private static GatewayFixture fixture;
    private static OpenAIClient openAi;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        simC = ProviderSimulator.start(
                vertx, SimulatorOptions.defaults("sim-c").withPort(0).withApiKey(GatewayFixture.UPSTREAM_KEY));
        fixture = GatewayFixture.start(
                "timeouts: {first_byte: 20s, request: 60s}\n",
                Duration.ofMillis(2),
                "  sim-c: {type: openai, base_url: " + simC.baseUrl() + ", api_key: ${UPSTREAM_KEY}}\n",
                """
                  triple:
                    - {provider: sim-a, model: sim-chat, priority: 1}
                    - {provider: sim-b, model: sim-chat, priority: 2}
                    - {provider: sim-c, model: sim-chat, priority: 3}
                """);
        openAi = fixture.openAi();
        anthropic = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(GatewayFixture.ACME_KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
        for (int i = 0; i < 2; i++) { // warm up under lenient timeouts, then tighten them
            openAi.chat().completions().create(params());
            accumulate();
            anthropic.messages().create(claude());
        }
        fixture.gateway.apply(
                dev.tollgate.config.ConfigLoader.parse(fixture.yaml(TIGHT), fixture.configFile, fixture.env));
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        simC.close();
        vertx.close().await();
    }

    @BeforeEach
    void healthy() {
        fixture.reset();
        simC.fault(Fault.none());
        simC.clearRequests();
    }

    private static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder()
                .model("triple")
                .addUserMessage("Tell me something")
                .build();
    }

    private static MessageCreateParams claude() {
        return MessageCreateParams.builder()
                .model("triple")
                .maxTokens(100)
                .addUserMessage("Tell me something")
                .build();
    }

    private static String accumulate() {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (var s = openAi.chat().completions().createStreaming(params())) {
            s.stream().forEach(accumulator::accumulate);
        }
        return accumulator.chatCompletion().choices().get(0).message().content().orElseThrow();
    }

    private static String answer(boolean stream) {
        return stream
                ? accumulate()
                : openAi.chat()
                        .completions()
                        .create(params())
                        .choices()
                        .get(0)
                        .message()
                        .content()
                        .orElseThrow();
    }

    static Stream<Arguments> faults() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean stream : new boolean[] {false, true}) {
            cases.add(Arguments.of("500", Fault.status(500), stream));
            cases.add(Arguments.of("429 retry-after 1s", Fault.status(429, null, Duration.ofSeconds(1)), stream));
            cases.add(Arguments.of("slow first byte (5 s)", Fault.slowFirstByte(Duration.ofSeconds(5)), stream));
            cases.add(Arguments.of("connection reset", Fault.resetConnection(), stream));
            cases.add(Arguments.of("stream cut before its first event", Fault.cutStreamAfter(0), stream));
            cases.add(Arguments.of("hang", Fault.hang(), stream));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "sim-a and sim-b: {0}, stream={2}: sim-c answers within the deadline")
    @MethodSource("faults")
    void theCallerGetsAnAnswerFromTheHealthyDeploymentWithinItsDeadline(String what, Fault fault, boolean stream) {
        fixture.simA.fault(fault);
        fixture.simB.fault(fault);

        long start = System.nanoTime();
        String content = answer(stream);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(content).startsWith("Hello from sim-c");
        assertThat(millis).isLessThan(DEADLINE_MILLIS + SLACK_MILLIS);
        assertThat(fixture.simA.requests()).hasSize(1);
        assertThat(fixture.simB.requests()).hasSize(1);
    }

    @Test
    void differentFaultsAtOnceStillEndWithAnAnswerForAnAnthropicCaller() {
        fixture.simA.fault(Fault.hang());
        fixture.simB.fault(Fault.resetConnection());

        long start = System.nanoTime();
        var message = anthropic.messages().create(claude()).validate();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(message.content().get(0).asText().text()).startsWith("Hello from sim-c");
        assertThat(millis).isLessThan(DEADLINE_MILLIS + SLACK_MILLIS);
    }

    @Test
    void aSlowFirstByteWithinTheTimeoutIsWaitedForRatherThanFailedOver() {
        fixture.simA.fault(Fault.slowFirstByte(Duration.ofMillis(600)));

        assertThat(answer(false)).startsWith("Hello from sim-a");
        assertThat(fixture.simB.requests()).isEmpty();
    }

    @Test
    void whenEveryDeploymentHangsTheCallerGetsA504AtTheDeadlineNotLater() {
        for (ProviderSimulator sim : new ProviderSimulator[] {fixture.simA, fixture.simB, simC}) {
            sim.fault(Fault.hang());
        }

        long start = System.nanoTime();
        OpenAIServiceException e = catchThrowableOfType(OpenAIServiceException.class, () -> answer(false));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(e.statusCode()).isEqualTo(504);
        assertThat(e.getMessage()).contains("request deadline of 6s reached");
        assertThat(millis).isBetween(DEADLINE_MILLIS - 500, DEADLINE_MILLIS + SLACK_MILLIS);
    }

    @Test
    void whenEveryDeploymentAsksToWaitPastTheDeadlineTheCallerGets503AtOnceInsteadOfWaiting() {
        for (ProviderSimulator sim : new ProviderSimulator[] {fixture.simA, fixture.simB, simC}) {
            sim.fault(Fault.status(429, null, Duration.ofSeconds(30)));
        }

        long start = System.nanoTime();
        OpenAIServiceException e = catchThrowableOfType(OpenAIServiceException.class, () -> answer(false));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(e.statusCode()).isEqualTo(503);
        assertThat(e.headers().values("retry-after")).containsExactly("30");
        assertThat(millis).isLessThan(SLACK_MILLIS);
    }

    @Test
    void aShortRetryAfterFromEveryDeploymentIsWaitedOutWithinTheDeadlineAndThenAnswered() {
        fixture.simA.fault(Fault.status(429, null, Duration.ofSeconds(1)), 1);
        fixture.simB.fault(Fault.status(429, null, Duration.ofSeconds(1)), 1);
        simC.fault(Fault.status(429, null, Duration.ofSeconds(1)), 1);

        long start = System.nanoTime();
        String content = answer(false);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(content).startsWith("Hello from sim-a");
        assertThat(millis).isBetween(1_000L, DEADLINE_MILLIS + SLACK_MILLIS);
    }
}
