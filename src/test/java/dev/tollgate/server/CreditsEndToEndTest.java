package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.testing.GatewayFixture;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credit and budgets on real sockets, through the official SDKs: a prepaid tenant without credit is refused in its
 * own dialect before anything reaches the upstream, and served once credit is granted or topped up; what it used is
 * taken from its credit exactly, in the order of consumption. Each test has its own tenant.
 */
class CreditsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMPTY_KEY = "tg-prepaid-empty-key-00000000000000000000";
    private static final String CLAUDE_KEY = "tg-prepaid-claude-key-0000000000000000000";
    private static final String PROMO_KEY = "tg-prepaid-promo-key-00000000000000000000";
    private static final String BUDGET_KEY = "tg-budgeted-key-0000000000000000000000000";
    private static final BigDecimal INPUT = new BigDecimal("2.50");
    private static final BigDecimal OUTPUT = new BigDecimal("10.00");

    private static GatewayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start(
                """
                  empty:
                    payment: prepaid
                    keys: [%s]
                  claude:
                    payment: prepaid
                    keys: [%s]
                  promo:
                    payment: prepaid
                    keys: [%s]
                  budgeted:
                    keys: [%s]
                    budgets:
                      - {period: monthly, limit: 1000, currency: USD, hard: true}
                  teams:
                    projects:
                      web: {limits: {requests_per_minute: 1}}
                prices:
                  chat-small:
                    - {currency: USD, effective_from: 2020-01-01, input_per_million: %s, output_per_million: %s}
                """.formatted(EMPTY_KEY, CLAUDE_KEY, PROMO_KEY, BUDGET_KEY, INPUT, OUTPUT), Duration.ZERO);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private static ChatCompletionCreateParams hello() {
        return ChatCompletionCreateParams.builder()
                .model("chat-small")
                .addUserMessage("Hello, how much credit do I have?")
                .maxCompletionTokens(100)
                .build();
    }

    private static BigDecimal cost(long prompt, long completion) {
        return BigDecimal.valueOf(prompt)
                .multiply(INPUT)
                .add(BigDecimal.valueOf(completion).multiply(OUTPUT))
                .movePointLeft(6)
                .setScale(6, RoundingMode.HALF_EVEN);
    }

    @Test
    void aPrepaidTenantWithoutCreditGetsInsufficientQuotaFromTheOpenAiSdkUntilItTopsUp() throws Exception {
        int before = fixture.simA.requests().size() + fixture.simB.requests().size();

        RateLimitException refused = catchThrowableOfType(
                RateLimitException.class,
                () -> fixture.openAi(EMPTY_KEY).chat().completions().create(hello()));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.type()).hasValue("insufficient_quota");
        assertThat(refused.code()).hasValue("insufficient_quota");
        assertThat(refused.getMessage())
                .contains("Tenant 'empty' is out of credit", "'chat-small'", "cover 0 USD", "Top up");
        assertThat(refused.headers().values("x-should-retry")).containsExactly("false");
        assertThat(fixture.simA.requests().size() + fixture.simB.requests().size())
                .as("nothing was sent upstream")
                .isEqualTo(before);

        JsonNode topped = fixture.admin(
                "POST",
                "/admin/v1/credits/topups",
                "{\"tenant\":\"empty\",\"currency\":\"USD\",\"amount\":\"0.50\",\"reference\":\"inv-1\",\"id\":\"tu-1\"}");
        assertThat(topped.path("available").path("USD").asText()).isEqualTo("0.500000");

        ChatCompletion served = fixture.openAi(EMPTY_KEY).chat().completions().create(hello());
        var usage = served.usage().orElseThrow();
        fixture.gateway.ledger().flush().get();

        JsonNode credits = fixture.admin("GET", "/admin/v1/credits?tenant=empty", null);
        JsonNode balance = credits.path("data").get(0);
        assertThat(balance.path("id").asText()).isEqualTo("balance:USD");
        assertThat(new BigDecimal(balance.path("used").asText()))
                .isEqualByComparingTo(cost(usage.promptTokens(), usage.completionTokens()))
                .isPositive();
        assertThat(new BigDecimal(balance.path("held").asText())).isZero();
        assertThat(credits.path("payment").asText()).isEqualTo("prepaid");
    }

    @Test
    void anAnthropicCallerOutOfCreditGetsA402BillingErrorThenIsServedOnceGrantedCredit() throws Exception {
        AnthropicClient anthropic = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + fixture.gateway.port())
                .apiKey(CLAUDE_KEY)
                .maxRetries(0)
                .build();
        MessageCreateParams params = MessageCreateParams.builder()
                .model("chat-small")
                .maxTokens(200)
                .addUserMessage("Hello from a prepaid Anthropic caller")
                .build();
        int before = fixture.simA.requests().size() + fixture.simB.requests().size();

        AnthropicServiceException refused = catchThrowableOfType(
                AnthropicServiceException.class, () -> anthropic.messages().create(params));

        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(refused.getMessage()).contains("out of credit");
        HttpResponse<String> raw = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + fixture.gateway.port() + "/v1/messages"))
                                .header("x-api-key", CLAUDE_KEY)
                                .header("anthropic-version", "2023-06-01")
                                .header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"chat-small\",\"max_tokens\":200,"
                                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(raw.body());
        assertThat(raw.statusCode()).isEqualTo(402);
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("billing_error");
        assertThat(body.path("request_id").asText()).startsWith("req_");
        assertThat(fixture.simA.requests().size() + fixture.simB.requests().size())
                .as("nothing was sent upstream")
                .isEqualTo(before);

        fixture.admin(
                "POST",
                "/admin/v1/credits",
                "{\"tenant\":\"claude\",\"amount\":\"1.00\",\"currency\":\"USD\",\"priority\":\"paid\","
                        + "\"models\":[\"chat-small\"],\"valid_days\":30,\"reason\":\"welcome\",\"id\":\"g-claude\"}");

        Message answer = anthropic.messages().create(params);
        fixture.gateway.ledger().flush().get();

        JsonNode grant = fixture.admin("GET", "/admin/v1/credits?tenant=claude", null)
                .path("data")
                .get(0);
        assertThat(grant.path("id").asText()).isEqualTo("g-claude");
        assertThat(new BigDecimal(grant.path("used").asText()))
                .isEqualByComparingTo(
                        cost(answer.usage().inputTokens(), answer.usage().outputTokens()));
        assertThat(grant.path("expires_at").asText()).isNotEmpty();
    }

    @Test
    void aMigrationPromotionOfFiftyMillionTokensIsUsedBeforeThePaidBalance() throws Exception {
        fixture.admin(
                "POST",
                "/admin/v1/credits/topups",
                "{\"tenant\":\"promo\",\"currency\":\"USD\",\"amount\":\"5\",\"reference\":\"inv-7\"}");
        JsonNode granted = fixture.admin(
                "POST",
                "/admin/v1/credits",
                "{\"tenant\":\"promo\",\"tokens\":50000000,\"priority\":\"promotional\",\"valid_days\":90,"
                        + "\"reason\":\"migrating from another provider\",\"id\":\"migration-2026\"}");
        assertThat(granted.path("data").get(0).path("id").asText())
                .as("the promotion is first in the order of consumption")
                .isEqualTo("migration-2026");

        long tokens = 0;
        for (int i = 0; i < 3; i++) {
            tokens += fixture.openAi(PROMO_KEY)
                    .chat()
                    .completions()
                    .create(hello())
                    .usage()
                    .orElseThrow()
                    .totalTokens();
        }
        fixture.gateway.ledger().flush().get();

        JsonNode data =
                fixture.admin("GET", "/admin/v1/credits?tenant=promo", null).path("data");
        assertThat(data.get(0).path("used").asText()).isEqualTo(Long.toString(tokens));
        assertThat(data.get(0).path("remaining").asText()).isEqualTo(Long.toString(50_000_000 - tokens));
        assertThat(data.get(1).path("id").asText()).isEqualTo("balance:USD");
        assertThat(new BigDecimal(data.get(1).path("used").asText()))
                .as("the paid balance is untouched while the promotion lasts")
                .isZero();
    }

    @Test
    void aHardBudgetSetThroughTheAdminApiRefusesTheRequestThatWouldCrossIt() throws Exception {
        ChatCompletion first = fixture.openAi(BUDGET_KEY).chat().completions().create(hello());
        assertThat(first.choices()).isNotEmpty();
        fixture.gateway.ledger().flush().get();

        fixture.admin(
                "PUT",
                "/admin/v1/budgets",
                "{\"tenant\":\"budgeted\",\"scope\":\"tenant\",\"budgets\":"
                        + "[{\"period\":\"total\",\"limit\":\"0.0001\",\"currency\":\"USD\",\"hard\":true}]}");
        RateLimitException refused = catchThrowableOfType(
                RateLimitException.class,
                () -> fixture.openAi(BUDGET_KEY).chat().completions().create(hello()));

        assertThat(refused.type()).hasValue("insufficient_quota");
        assertThat(refused.code()).hasValue("budget_exceeded");
        assertThat(refused.getMessage()).contains("total budget of tenant 'budgeted' (0.0001 USD) is used up");
        JsonNode budgets = fixture.admin("GET", "/admin/v1/budgets?tenant=budgeted", null);
        JsonNode tenant = budgets.path("data").get(0);
        assertThat(tenant.path("source").asText()).isEqualTo("admin");
        assertThat(tenant.path("budgets").get(0).path("limit").asText()).isEqualTo("0.000100");
    }

    @Test
    void twoKeysOfOneProjectShareItsRateLimitWhileAKeyOutsideItDoesNot() throws Exception {
        String one = fixture.admin("POST", "/admin/v1/keys", "{\"tenant\":\"teams\",\"project\":\"web\"}")
                .path("key")
                .asText();
        String two = fixture.admin("POST", "/admin/v1/keys", "{\"tenant\":\"teams\",\"project\":\"web\"}")
                .path("key")
                .asText();
        String outside = fixture.admin("POST", "/admin/v1/keys", "{\"tenant\":\"teams\"}")
                .path("key")
                .asText();

        fixture.openAi(one).chat().completions().create(hello());
        RateLimitException refused = catchThrowableOfType(
                RateLimitException.class,
                () -> fixture.openAi(two).chat().completions().create(hello()));

        assertThat(refused.type()).hasValue("rate_limit_error");
        assertThat(refused.getMessage()).contains("Rate limit reached for project 'teams/web'");
        assertThat(fixture.openAi(outside).chat().completions().create(hello()).choices())
                .isNotEmpty();
    }
}
