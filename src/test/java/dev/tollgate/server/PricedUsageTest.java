package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.tollgate.testing.GatewayFixture;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each request is priced from the catalogue when its usage is recorded, and the admin usage API adds the costs up. */
class PricedUsageTest {
    private static final BigDecimal INPUT = new BigDecimal("2.50");
    private static final BigDecimal OUTPUT = new BigDecimal("10.00");
    private static final BigDecimal EMBEDDING = new BigDecimal("0.00000013");
    private static GatewayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = GatewayFixture.start("""
                prices:
                  chat-small:
                    - {currency: USD, effective_from: 2020-01-01, input_per_million: %s, output_per_million: %s}
                  embed-small:
                    - {currency: USD, embedding_per_token: %s}
                """.formatted(INPUT, OUTPUT, EMBEDDING.toPlainString()), Duration.ZERO);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @Test
    void theAdminUsageApiShowsTheExactCostOfTheRequestsServed() throws Exception {
        BigDecimal expected = BigDecimal.ZERO;
        for (int i = 0; i < 3; i++) {
            ChatCompletion answer = fixture.openAi()
                    .chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model("chat-small")
                            .addUserMessage("price request number " + i + " please")
                            .build());
            var usage = answer.usage().orElseThrow();
            expected = expected.add(BigDecimal.valueOf(usage.promptTokens())
                    .multiply(INPUT)
                    .add(BigDecimal.valueOf(usage.completionTokens()).multiply(OUTPUT))
                    .movePointLeft(6)
                    .setScale(6, RoundingMode.HALF_EVEN));
        }
        CreateEmbeddingResponse embedded = fixture.openAi()
                .embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("embed-small")
                        .input("the cost of an embedding")
                        .build());
        BigDecimal embeddingCost = BigDecimal.valueOf(embedded.usage().promptTokens())
                .multiply(EMBEDDING)
                .setScale(6, RoundingMode.HALF_EVEN);

        JsonNode usage = fixture.usage("acme");

        assertThat(new BigDecimal(usage.path("by_model")
                        .path("chat-small")
                        .path("cost")
                        .path("USD")
                        .asText()))
                .isEqualByComparingTo(expected)
                .isPositive();
        assertThat(new BigDecimal(usage.path("by_model")
                        .path("embed-small")
                        .path("cost")
                        .path("USD")
                        .asText()))
                .isEqualByComparingTo(embeddingCost);
        assertThat(new BigDecimal(usage.path("cost").path("USD").asText()))
                .isEqualByComparingTo(expected.add(embeddingCost));
        assertThat(usage.path("cost").path("USD").asText()).matches("\\d+\\.\\d{6}");
    }
}
