package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.sim.Fault;
import dev.tollgate.testing.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
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
 * Fallback from the primary deployment (sim-a) to the secondary (sim-b): allowed for any failure before the first
 * byte reached the caller, never after it.
 */
class FallbackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static GatewayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start(
                "timeouts: {connect: 1s, first_byte: 1s, idle: 1s, request: 10s}\n", Duration.ofMillis(5));
        for (int i = 0; i < 3; i++) {
            chat(i % 2 == 0);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void healthy() {
        fixture.reset(); // each test starts with closed breakers and no faults
    }

    private static HttpResponse<String> chat(boolean stream) throws Exception {
        return http.send(
                fixture.chatRequest("chat-small", stream, "Tell me something"), HttpResponse.BodyHandlers.ofString());
    }

    static Stream<Arguments> failuresBeforeTheFirstByte() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean stream : new boolean[] {false, true}) {
            cases.add(Arguments.of("500", Fault.status(500), stream));
            cases.add(Arguments.of("429 with retry-after", Fault.status(429, null, Duration.ofSeconds(2)), stream));
            cases.add(Arguments.of("connection reset", Fault.resetConnection(), stream));
            cases.add(Arguments.of("hang past first_byte", Fault.hang(), stream));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "sim-a {0}, stream={2}: one answer from sim-b")
    @MethodSource("failuresBeforeTheFirstByte")
    void aFailureBeforeTheFirstByteFallsBackToTheNextDeployment(String what, Fault fault, boolean stream)
            throws Exception {
        fixture.simA.fault(fault);
        long servedByB = fixture.simB.stats().requests();

        HttpResponse<String> r = chat(stream);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-deployment")).hasValue("sim-b/sim-chat");
        if (stream) {
            assertThat(r.body()).contains("sim-b").endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
        } else {
            JsonNode answer = JSON.readTree(r.body());
            assertThat(answer.at("/choices/0/message/content").asText()).startsWith("Hello from sim-b");
        }
        assertThat(fixture.simA.requests()).hasSize(1);
        assertThat(fixture.simB.requests()).hasSize(1);
        // The simulator counts a request when its write completes, which may be after the caller read the answer.
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(fixture.simB.stats().requests()).isEqualTo(servedByB + 1));
    }

    @Test
    void aTwoHundredWithUnparseableJsonIsNotPassedOnButFallsBackBecauseNothingHasReachedTheCallerYet()
            throws Exception {
        fixture.simA.fault(Fault.malformedBody());

        HttpResponse<String> r = chat(false);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-deployment")).hasValue("sim-b/sim-chat");
        assertThat(JSON.readTree(r.body()).at("/choices/0/message/content").asText())
                .startsWith("Hello from sim-b");
    }

    @Test
    void afterAOneOffFailureTheNextRequestGoesToThePrimaryAgain() throws Exception {
        fixture.simA.fault(Fault.status(500), 1);

        HttpResponse<String> first = chat(false);
        HttpResponse<String> second = chat(false);

        assertThat(first.headers().firstValue("x-tollgate-deployment")).hasValue("sim-b/sim-chat");
        assertThat(second.headers().firstValue("x-tollgate-deployment")).hasValue("sim-a/sim-chat");
        assertThat(fixture.simA.requests()).hasSize(2);
        assertThat(fixture.simB.requests()).hasSize(1);
    }

    @Test
    void aStreamCutAfterItsFirstChunksEndsWithAnErrorTheSdkThrowsAndIsMeteredAsAnEstimatedCut() throws Exception {
        JsonNode before = fixture.usage("acme");
        fixture.simA.fault(Fault.cutStreamAfter(3));

        streamEndsWithErrorAndNoFallback("a story that will break off", "ended early");

        JsonNode after = fixture.usage("acme");
        assertThat(count(after, "cut") - count(before, "cut")).isEqualTo(1);
        assertThat(after.path("estimated_requests").asLong()
                        - before.path("estimated_requests").asLong())
                .isEqualTo(1);
    }

    @Test
    void aStreamThatTurnsToGarbageAfterItsFirstChunkEndsWithAnErrorInsteadOfForwardingTheGarbage() throws Exception {
        JsonNode before = fixture.usage("acme");
        fixture.simA.fault(Fault.malformedBody());

        streamEndsWithErrorAndNoFallback("a story that turns to garbage", "not a JSON object");

        assertThat(count(fixture.usage("acme"), "cut") - count(before, "cut")).isEqualTo(1);
    }

    /** Streams through the SDK, expecting some chunks, then an error it throws, and no second deployment tried. */
    private static void streamEndsWithErrorAndNoFallback(String prompt, String error) {
        List<ChatCompletionChunk> seen = new ArrayList<>();
        assertThatThrownBy(() -> {
                    try (StreamResponse<ChatCompletionChunk> s = fixture.openAi()
                            .chat()
                            .completions()
                            .createStreaming(ChatCompletionCreateParams.builder()
                                    .model("chat-small")
                                    .addUserMessage(prompt)
                                    .build())) {
                        s.stream().forEach(seen::add);
                    }
                })
                .hasMessageContaining(error);
        assertThat(seen).isNotEmpty();
        assertThat(fixture.simB.requests())
                .as("no fallback after the first byte")
                .isEmpty();
    }

    private static long count(JsonNode usage, String status) {
        return usage.path("by_status").path(status).asLong();
    }

    @Test
    void aStalledStreamEndsWithAnErrorEventAfterTheIdleTimeout() throws Exception {
        fixture.simA.fault(Fault.stallStreamAfter(3));

        long start = System.nanoTime();
        HttpResponse<String> r = chat(true);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-deployment")).hasValue("sim-a/sim-chat");
        String[] events = r.body().split("\n\n");
        assertThat(events[events.length - 1]).startsWith("data: {\"error\"").contains("stream_interrupted");
        assertThat(r.body()).doesNotContain("[DONE]");
        assertThat(millis).isBetween(900L, 4_000L);
        assertThat(fixture.simB.requests()).isEmpty();
    }
}
