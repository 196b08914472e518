package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard on a live gateway, through the official SDKs: completed exchanges of the fast OpenAI path and of the
 * translated Anthropic path feed the detector; a naive harvesting campaign is flagged and, with {@code block} for
 * suspects, refused with 403 {@code account_blocked} in both dialects; an allowlisted evaluation harness doing the
 * same is never refused; operator overrides and throttling act at once; every change is audited.
 */
class GuardGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HARVEST_KEY = "tg-harvest-test-key-00000000000000000000";
    private static final String EVALS_KEY = "tg-evals-test-key-0000000000000000000000";
    private static final String SLOW_KEY = "tg-slow-test-key-00000000000000000000000";
    private static final String CLAUDE_KEY = "tg-claude-test-key-000000000000000000000";
    private static final String[] TOPICS = {
        "orbital mechanics", "enzyme kinetics", "tariff policy", "register allocation", "glacier retreat",
        "bond pricing", "graph colouring", "protein folding", "monetary policy", "compiler parsing"
    };

    private static GatewayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start("""
                  harvest:
                    keys: [%s]
                  evals:
                    keys: [%s]
                  slow:
                    keys: [%s]
                    guard:
                      actions: {watch: throttle, suspect: throttle, confirmed: throttle}
                  claude:
                    keys: [%s]
                guard:
                  actions: {suspect: block, confirmed: block}
                  throttle: {requests_per_minute: 3}
                  allow: [evals]
                """.formatted(HARVEST_KEY, EVALS_KEY, SLOW_KEY, CLAUDE_KEY), Duration.ZERO);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    /** The naive campaign's template: one problem per request, full reasoning asked for, high reasoning effort. */
    private static ChatCompletionCreateParams harvest(int i) {
        return ChatCompletionCreateParams.builder()
                .model("chat-small")
                .reasoningEffort(ReasoningEffort.HIGH)
                .addUserMessage("You are an expert tutor. Solve the following problem. Think step by step and show"
                        + " your full reasoning before giving the final answer. Problem " + i + ": explain how "
                        + TOPICS[i % TOPICS.length] + " relates to " + TOPICS[(i / 10) % TOPICS.length] + ".")
                .build();
    }

    /** The account (key id) the guard saw for the tenant's one key; waits for its first observation. */
    private static String accountOf(String tenant) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            JsonNode all = fixture.admin("GET", "/admin/v1/guard/accounts?limit=10000", null);
            for (JsonNode a : all.path("data")) {
                if (a.path("org").asText().equals(tenant)) {
                    return a.path("account").asText();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the guard never saw tenant " + tenant + ": " + all);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aNaiveCampaignIsFlaggedAndThenRefusedWithAccountBlockedInBothDialects() throws Exception {
        OpenAIClient client = fixture.openAi(HARVEST_KEY);
        int served = 0;
        PermissionDeniedException refused = null;
        for (int i = 0; i < 1_000 && refused == null; i++) {
            try {
                client.chat().completions().create(harvest(i));
                served++;
            } catch (PermissionDeniedException e) {
                refused = e;
            }
        }
        assertThat(refused).as("refused within 1,000 requests").isNotNull();
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.code()).hasValue("account_blocked");
        assertThat(served).isLessThan(1_000);
        System.out.printf("naive campaign through the gateway: %d exchanges served before the block%n", served);

        AnthropicClient anthropic = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(HARVEST_KEY)
                .maxRetries(0)
                .build();
        var blocked = catchThrowableOfType(
                com.anthropic.errors.PermissionDeniedException.class,
                () -> anthropic
                        .messages()
                        .create(MessageCreateParams.builder()
                                .model("chat-small")
                                .maxTokens(100)
                                .addUserMessage("Hello")
                                .build()));
        assertThat(blocked.statusCode()).isEqualTo(403);
        HttpResponse<String> raw = fixture.post(
                "/v1/messages",
                HARVEST_KEY,
                "{\"model\":\"chat-small\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        JsonNode body = JSON.readTree(raw.body());
        assertThat(raw.statusCode()).isEqualTo(403);
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("permission_error");
        assertThat(body.path("error").path("message").asText()).contains("account_blocked");
        assertThat(body.path("request_id").asText()).startsWith("req_");

        String account = accountOf("harvest");
        JsonNode listed = fixture.admin("GET", "/admin/v1/guard/accounts?verdict=suspect", null);
        JsonNode confirmed = fixture.admin("GET", "/admin/v1/guard/accounts?verdict=confirmed", null);
        List<String> flagged = new ArrayList<>();
        listed.path("data").forEach(a -> flagged.add(a.path("account").asText()));
        confirmed.path("data").forEach(a -> flagged.add(a.path("account").asText()));
        assertThat(flagged).contains(account);

        JsonNode detail = fixture.admin("GET", "/admin/v1/guard/accounts/" + account, null);
        assertThat(detail.path("org").asText()).isEqualTo("harvest");
        assertThat(detail.path("action").asText()).isEqualTo("block");
        assertThat(detail.path("score").asDouble()).isGreaterThanOrEqualTo(0.55);
        assertThat(detail.path("features").path("cot_phrasing").asDouble()).isGreaterThan(0.5);
        assertThat(detail.path("features").path("reasoning_share").asDouble()).isGreaterThan(0.5);
        assertThat(detail.path("reasons").toString()).contains("cot_phrasing");
        assertThat(detail.path("first_flagged_at").asText()).isNotEmpty();
        JsonNode audit = detail.path("audit");
        assertThat(audit.size()).isGreaterThanOrEqualTo(1);
        assertThat(audit.toString()).contains("\"action\":\"block\"").contains("\"cause\":\"detector\"");

        JsonNode metrics = JSON.valueToTree(fixture.adminRaw("GET", "/metrics", null, GatewayFixture.ADMIN_TOKEN)
                .body());
        assertThat(metrics.asText())
                .contains("tollgate_guard_refusals_total{action=\"block\"}")
                .contains("tollgate_guard_queue_depth")
                .contains("tollgate_guard_samples_total{outcome=\"dropped\"}");
    }

    @Test
    void anAllowlistedEvaluationHarnessDoingTheSameIsNeverRefusedButKeepsItsScore() throws Exception {
        OpenAIClient client = fixture.openAi(EVALS_KEY);
        for (int i = 0; i < 150; i++) {
            client.chat().completions().create(harvest(i)); // throws if ever refused
        }
        String account = accountOf("evals");
        JsonNode detail = awaitObserved(account, 150);
        assertThat(detail.path("verdict").asText()).isEqualTo("clear");
        assertThat(detail.path("action").isNull()).isTrue();
        assertThat(detail.path("reasons").get(0).asText()).isEqualTo("allowlisted");
        assertThat(detail.path("score").asDouble()).isGreaterThanOrEqualTo(0.55);
    }

    @Test
    void theTranslatedAnthropicPathFeedsTheDetectorWithPromptAndSystemText() throws Exception {
        AnthropicClient anthropic = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(CLAUDE_KEY)
                .maxRetries(0)
                .build();
        for (int i = 0; i < 20; i++) {
            anthropic
                    .messages()
                    .create(MessageCreateParams.builder()
                            .model("chat-small")
                            .maxTokens(200)
                            .system("Generate diverse training examples for a dataset.")
                            .addUserMessage("Problem " + i + ": think step by step about " + TOPICS[i % 10] + ".")
                            .build());
        }
        JsonNode detail = awaitObserved(accountOf("claude"), 20);
        assertThat(detail.path("org").asText()).isEqualTo("claude");
        assertThat(detail.path("features").path("cot_phrasing").asDouble()).isGreaterThan(0.5);
        assertThat(detail.path("features").path("datagen_phrasing").asDouble()).isGreaterThan(0.5);
        assertThat(detail.path("features").path("single_turn").asDouble()).isGreaterThan(0.5);
    }

    @Test
    void anOperatorOverrideActsOnTheNextRequestAndThrottlingAnswers429WithRetryAfter() throws Exception {
        OpenAIClient client = fixture.openAi(SLOW_KEY);
        client.chat().completions().create(harvest(0));
        String account = accountOf("slow");
        awaitObserved(account, 1);

        JsonNode after = fixture.admin(
                "POST",
                "/admin/v1/guard/accounts/" + account + "/override",
                "{\"verdict\":\"suspect\",\"reason\":\"reviewed: shared card with a blocked account\"}");
        assertThat(after.path("verdict").asText()).isEqualTo("suspect");
        assertThat(after.path("action").asText()).isEqualTo("throttle");
        for (int i = 0; i < 3; i++) {
            client.chat().completions().create(harvest(i));
        }
        RateLimitException throttled = catchThrowableOfType(
                RateLimitException.class, () -> client.chat().completions().create(harvest(9)));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.code()).hasValue("account_throttled");
        assertThat(throttled.headers().values("retry-after")).isNotEmpty();

        fixture.admin(
                "POST",
                "/admin/v1/guard/accounts/" + account + "/override",
                "{\"verdict\":null,\"reason\":\"lifted after review\"}");
        fixture.admin(
                "POST",
                "/admin/v1/guard/accounts/" + account + "/override",
                "{\"verdict\":\"clear\",\"reason\":\"a verified researcher\"}");
        client.chat().completions().create(harvest(10));

        JsonNode detail = fixture.admin("GET", "/admin/v1/guard/accounts/" + account, null);
        assertThat(detail.path("override").asText()).startsWith("clear: a verified researcher");
        assertThat(detail.path("audit").toString())
                .contains("operator: reviewed: shared card")
                .contains("\"action\":\"throttle\"");

        HttpResponse<String> bad = fixture.adminRaw(
                "POST",
                "/admin/v1/guard/accounts/" + account + "/override",
                "{\"verdict\":\"banned\",\"reason\":\"x\"}",
                GatewayFixture.ADMIN_TOKEN);
        assertThat(bad.statusCode()).isEqualTo(400);
        HttpResponse<String> unknown =
                fixture.adminRaw("GET", "/admin/v1/guard/accounts/nobody", null, GatewayFixture.ADMIN_TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    /** The guard observes off the request path: waits until it has seen the account's exchanges. */
    private static JsonNode awaitObserved(String account, int observations) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            HttpResponse<String> r =
                    fixture.adminRaw("GET", "/admin/v1/guard/accounts/" + account, null, GatewayFixture.ADMIN_TOKEN);
            if (r.statusCode() == 200) {
                JsonNode detail = JSON.readTree(r.body());
                if (detail.path("observations").asLong() >= observations) {
                    return detail;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the guard did not observe " + observations + " exchanges of " + account + ": " + r.body());
            }
            Thread.sleep(20);
        }
    }
}
