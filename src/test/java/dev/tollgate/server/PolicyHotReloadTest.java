package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testing.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A policy edit in the file applies within a second, while a stream already running finishes untouched. */
class PolicyHotReloadTest {
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String CHAT =
            "{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aDenyRuleAddedToTheFileRefusesNewRequestsWithinASecondAndTheStreamInFlightCompletes() throws Exception {
        try (GatewayFixture fixture = GatewayFixture.start("", Duration.ofMillis(20))) {
            CompletableFuture<HttpResponse<String>> stream = http.sendAsync(
                    fixture.chatRequest("chat-small", true, "tell me a long story ".repeat(100)),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !fixture.simA.requests().isEmpty());

            long written = System.nanoTime();
            fixture.rewriteConfig(fixture.yaml("""
                    policy:
                      expose_rule_names: true
                      rules:
                        - name: de-paused
                          effect: deny
                          when: {tenant.country: DE}
                          reason: Service to Germany is paused.
                    """));
            // Polled through the route explanation: a chat request served before the change would itself take
            // seconds (the simulator streams slowly here), hiding when the change applied.
            while (!fixture.admin("GET", "/admin/v1/route?tenant=acme&model=chat-small", null)
                            .path("refused")
                            .asBoolean()
                    && System.nanoTime() - written < TimeUnit.SECONDS.toNanos(5)) {
                Thread.sleep(10);
            }
            long appliedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
            HttpResponse<String> refused = fixture.post("/v1/chat/completions", GatewayFixture.ACME_KEY, CHAT);

            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(appliedMillis)
                    .as("time from the file write to the first refusal")
                    .isLessThan(1000);
            assertThat(new ObjectMapper()
                            .readTree(refused.body())
                            .path("error")
                            .path("message")
                            .asText())
                    .contains("Service to Germany is paused")
                    .contains("[rule de-paused]");
            assertThat(stream)
                    .as("the stream must still be running when the policy changes")
                    .isNotDone();

            HttpResponse<String> streamed = stream.get(30, TimeUnit.SECONDS);
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");

            assertThat(fixture.admin("GET", "/admin/v1/audit", null)
                            .path("data")
                            .toString())
                    .contains("\"outcome\":\"changed\"")
                    .contains("rule de-paused added (deny, priority 100)");
        }
    }
}
