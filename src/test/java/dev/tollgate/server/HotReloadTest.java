package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.openai.models.models.Model;
import dev.tollgate.store.SqlStore;
import dev.tollgate.testing.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Configuration changes take effect while the gateway serves, without disturbing requests in flight. */
class HotReloadTest {
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String PRIMARY = "    - {provider: sim-a, model: sim-chat, priority: 1}\n";
    private static final String SECONDARY = "    - {provider: sim-b, model: sim-chat, priority: 2}\n";

    private static CompletableFuture<HttpResponse<String>> longStream(GatewayFixture fixture) throws Exception {
        return http.sendAsync(
                fixture.chatRequest("chat-small", true, "tell me a long story ".repeat(100)),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String chatRouted(GatewayFixture fixture) throws Exception {
        return fixture.post(
                        "/v1/chat/completions",
                        GatewayFixture.ACME_KEY,
                        "{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .headers()
                .firstValue("x-tollgate-deployment")
                .orElseThrow();
    }

    @Test
    void aModelAddedToTheFileIsListedWithinSeconds() throws Exception {
        try (GatewayFixture fixture = GatewayFixture.start()) {
            String yaml = fixture.yaml("")
                    .replace(
                            "  embed-small:\n",
                            "  chat-large:\n    - {provider: sim-b, model: sim-chat}\n  embed-small:\n");

            fixture.rewriteConfig(yaml);

            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(
                            () -> assertThat(fixture.openAi().models().list().data())
                                    .extracting(Model::id)
                                    .containsExactly("chat-large", "chat-small", "embed-small"));
        }
    }

    @Test
    void anInvalidEditIsRejectedAndTheOldConfigurationKeepsServing() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try (GatewayFixture fixture = GatewayFixture.start()) {
            String dangling = fixture.yaml("")
                    .replace(PRIMARY, "    - {provider: sim-gone, model: sim-chat, priority: 1}\n")
                    .replace(
                            "  embed-small:\n",
                            "  chat-large:\n    - {provider: sim-b, model: sim-chat}\n  embed-small:\n");

            fixture.rewriteConfig(dangling);

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> logs.list.stream()
                            .anyMatch(e -> e.getFormattedMessage().contains("configuration change rejected")
                                    && e.getFormattedMessage().contains("sim-gone")));
            assertThat(fixture.openAi().models().list().data())
                    .extracting(Model::id)
                    .containsExactly("chat-small", "embed-small");
            assertThat(chatRouted(fixture)).isEqualTo("sim-a/sim-chat");
            assertThat(fixture.gateway.config().models().get("chat-small")).hasSize(2);
        } finally {
            root.detachAppender(logs);
        }
    }

    @Test
    void aStreamInFlightFinishesOnItsDeploymentWhileTheModelIsReroutedToAnother() throws Exception {
        try (GatewayFixture fixture = GatewayFixture.start("", Duration.ofMillis(20))) {
            CompletableFuture<HttpResponse<String>> stream = longStream(fixture);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !fixture.simA.requests().isEmpty());

            fixture.rewriteConfig(fixture.yaml("").replace(PRIMARY, ""));
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            fixture.gateway.config().models().get("chat-small").size() == 1);
            assertThat(stream)
                    .as("the stream must still be running when the configuration changes")
                    .isNotDone();
            String rerouted = chatRouted(fixture);

            HttpResponse<String> streamed = stream.get(30, TimeUnit.SECONDS);
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.headers().firstValue("x-tollgate-deployment")).hasValue("sim-a/sim-chat");
            assertThat(streamed.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
            assertThat(rerouted).isEqualTo("sim-b/sim-chat");
        }
    }

    @Test
    void closingTheGatewayLetsAStreamInFlightFinishAndStoresItsUsage() throws Exception {
        try (GatewayFixture fixture =
                GatewayFixture.start("timeouts: {shutdown_drain: 15s}\n", Duration.ofMillis(20))) {
            CompletableFuture<HttpResponse<String>> stream = longStream(fixture);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !fixture.simA.requests().isEmpty());
            String store = fixture.gateway.config().store();
            assertThat(stream)
                    .as("the stream must still be running when the gateway is closed")
                    .isNotDone();

            long start = System.nanoTime();
            fixture.gateway.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            HttpResponse<String> streamed = stream.get(5, TimeUnit.SECONDS);
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
            assertThat(closeMillis).isLessThan(15_000);
            String requestId = streamed.headers().firstValue("x-request-id").orElseThrow();
            try (SqlStore reopened = SqlStore.open(store)) {
                assertThat(reopened.requestIds("acme")).contains(requestId);
            }
        }
    }
}
