package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.errors.PermissionDeniedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.sim.Fault;
import dev.tollgate.testing.GatewayFixture;
import dev.tollgate.testing.MutableClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The compliance policy on the request path, through the official SDKs: a cut-off at a future instant (on a clock
 * the test moves) moves a tenant to the open-weights deployment, refuses it a model with none in its own dialect, never
 * lets a retry reach a denied deployment, and leaves a trail in the audit log and the route explanation.
 */
class PolicyEnforcementTest {
    static final String DRAGON_KEY = "tg-dragon-test-key-0000000000000000000000";
    static final Instant BEFORE = Instant.parse("2026-11-28T12:00:00Z");
    static final Instant CUT_OFF = Instant.parse("2026-12-01T00:00:00Z");
    static final String REASON =
            "Closed-weights models are no longer served to organisations in China; open-weights models remain available.";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static final MutableClock clock = new MutableClock(BEFORE);
    private static GatewayFixture fixture;

    static String policyYaml() {
        return """
                  dragon:
                    country: CN
                    region: cn
                    tier: verified
                    keys: [%s]
                policy:
                  deployments:
                    sim-b/sim-chat: {vendor: open-lab, vendor_country: FR, license: apache-2.0}
                  rules:
                    - name: closed-weights-cn-cutoff
                      effect: deny
                      when: {tenant.country: CN, deployment.open_weights: "false"}
                      effective_from: 2026-12-01T00:00:00Z
                      reason: %s
                """.formatted(DRAGON_KEY, REASON);
    }

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start(
                policyYaml(), Duration.ZERO, "", "  chat-closed:\n    - {provider: sim-a, model: sim-chat}\n", clock);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void reset() {
        fixture.reset();
        clock.set(BEFORE);
    }

    private static HttpResponse<String> chat(String key, String model) throws Exception {
        return fixture.post("/v1/chat/completions", key, CHAT.formatted(model));
    }

    private static String servedBy(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-tollgate-deployment").orElseThrow();
    }

    private static AnthropicClient anthropic(String key) {
        return AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void theCutOffChangesNothingBeforeItsInstantAndMovesTheTenantToTheOpenWeightsDeploymentFromIt() throws Exception {
        assertThat(servedBy(chat(DRAGON_KEY, "chat-small"))).isEqualTo("sim-a/sim-chat");

        clock.set(CUT_OFF.minusMillis(1));
        assertThat(servedBy(chat(DRAGON_KEY, "chat-small"))).isEqualTo("sim-a/sim-chat");

        clock.set(CUT_OFF);
        assertThat(servedBy(chat(DRAGON_KEY, "chat-small"))).isEqualTo("sim-b/sim-chat");
        assertThat(servedBy(chat(GatewayFixture.ACME_KEY, "chat-small"))).isEqualTo("sim-a/sim-chat");
    }

    @Test
    void anOpenAiSdkCallerWithNoAllowedDeploymentGets403PolicyDeniedWithTheReasonAndNoInternalNames() {
        clock.set(CUT_OFF);
        var client = fixture.openAi(DRAGON_KEY);

        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("chat-closed")
                                .addUserMessage("hi")
                                .build()))
                .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.code()).hasValue("policy_denied");
                    assertThat(e.getMessage())
                            .contains(REASON)
                            .doesNotContain("closed-weights-cn-cutoff")
                            .doesNotContain("sim-a");
                });
        assertThat(fixture.simA.requests()).isEmpty();
    }

    @Test
    void anAnthropicSdkCallerGets403InTheAnthropicErrorShape() throws Exception {
        clock.set(CUT_OFF);

        assertThatThrownBy(() -> anthropic(DRAGON_KEY)
                        .messages()
                        .create(MessageCreateParams.builder()
                                .model("chat-closed")
                                .maxTokens(100)
                                .addUserMessage("hi")
                                .build()))
                .isInstanceOfSatisfying(com.anthropic.errors.PermissionDeniedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.getMessage()).contains(REASON).doesNotContain("closed-weights-cn-cutoff");
                });

        HttpResponse<String> raw = fixture.post(
                "/v1/messages",
                DRAGON_KEY,
                "{\"model\":\"chat-closed\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        JsonNode body = MAPPER.readTree(raw.body());
        assertThat(raw.statusCode()).isEqualTo(403);
        assertThat(raw.headers().firstValue("x-tollgate-error-code")).hasValue("policy_denied");
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("permission_error");
        assertThat(body.path("request_id").asText()).startsWith("req_");
        assertThat(fixture.simA.requests()).isEmpty();
    }

    @Test
    void aStreamingRequestIsRefusedBeforeAnythingIsStreamed() throws Exception {
        clock.set(CUT_OFF);
        HttpResponse<String> r = fixture.post(
                "/v1/chat/completions",
                DRAGON_KEY,
                "{\"model\":\"chat-closed\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(MAPPER.readTree(r.body()).path("error").path("code").asText())
                .isEqualTo("policy_denied");
    }

    @Test
    void aRetryAfterTheAllowedDeploymentFailedNeverReachesADeniedOne() throws Exception {
        clock.set(CUT_OFF);
        fixture.simB.fault(Fault.status(500));

        HttpResponse<String> r = chat(DRAGON_KEY, "chat-small");

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(fixture.simB.requests()).hasSizeGreaterThan(1); // the first pass and its retries
        assertThat(fixture.simA.requests()).isEmpty();
    }

    @Test
    void theAuditLogHoldsThePolicyInForceAndEveryDecisionThatDeniedWithItsRule() throws Exception {
        clock.set(CUT_OFF);
        String refused = chat(DRAGON_KEY, "chat-closed")
                .headers()
                .firstValue("x-request-id")
                .orElseThrow();
        String filtered = chat(DRAGON_KEY, "chat-small")
                .headers()
                .firstValue("x-request-id")
                .orElseThrow();

        JsonNode audit = fixture.admin("GET", "/admin/v1/audit?tenant=dragon&since=2026-11-01T00:00:00Z", null);

        List<JsonNode> entries = List.copyOf(audit.path("data").valueStream().toList());
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.path("kind").asText()).isEqualTo("policy_change");
            assertThat(e.path("outcome").asText()).isEqualTo("loaded");
            assertThat(e.path("detail").path("changes").toString()).contains("rule closed-weights-cn-cutoff");
        });
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.path("request_id").asText()).isEqualTo(refused);
            assertThat(e.path("outcome").asText()).isEqualTo("refused");
            assertThat(e.path("time").asText()).isEqualTo(CUT_OFF.toString());
            JsonNode v = e.path("detail").path("verdicts").get(0);
            assertThat(v.path("deployment").asText()).isEqualTo("sim-a/sim-chat");
            assertThat(v.path("effect").asText()).isEqualTo("deny");
            assertThat(v.path("rule").asText()).isEqualTo("closed-weights-cn-cutoff");
        });
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.path("request_id").asText()).isEqualTo(filtered);
            assertThat(e.path("outcome").asText()).isEqualTo("filtered");
        });
        assertThat(fixture.admin("GET", "/admin/v1/audit?tenant=acme", null)
                        .path("data")
                        .toString())
                .doesNotContain(refused);
    }

    @Test
    void theRouteExplanationShowsEveryCandidateWithItsVerdictAndTheTryOrderAtAnyInstant() throws Exception {
        JsonNode now = fixture.admin("GET", "/admin/v1/route?tenant=dragon&model=chat-small", null);
        assertThat(now.path("try_order").toString()).isEqualTo("[\"sim-a/sim-chat\",\"sim-b/sim-chat\"]");

        JsonNode later = fixture.admin("GET", "/admin/v1/route?tenant=dragon&model=chat-small&at=" + CUT_OFF, null);
        assertThat(later.path("try_order").toString()).isEqualTo("[\"sim-b/sim-chat\"]");
        assertThat(later.path("refused").asBoolean()).isFalse();
        JsonNode denied = later.path("candidates").get(0);
        assertThat(denied.path("deployment").asText()).isEqualTo("sim-a/sim-chat");
        assertThat(denied.path("allowed").asBoolean()).isFalse();
        assertThat(denied.path("rule").asText()).isEqualTo("closed-weights-cn-cutoff");
        assertThat(denied.path("reason").asText()).isEqualTo(REASON);
        JsonNode allowed = later.path("candidates").get(1);
        assertThat(allowed.path("allowed").asBoolean()).isTrue();
        assertThat(allowed.path("decided_by").asText()).isEqualTo("default allow of model chat-small");

        JsonNode closed = fixture.admin("GET", "/admin/v1/route?tenant=dragon&model=chat-closed&at=" + CUT_OFF, null);
        assertThat(closed.path("refused").asBoolean()).isTrue();
        assertThat(closed.path("refusal").asText()).contains(REASON);
        assertThat(closed.path("try_order")).isEmpty();
    }
}
