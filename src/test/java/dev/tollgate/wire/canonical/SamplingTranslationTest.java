package dev.tollgate.wire.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.bedrock.BedrockDialect;
import dev.tollgate.wire.gemini.GeminiDialect;
import dev.tollgate.wire.openai.OpenAiCompatibleDialect;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.openai.VendorProfile;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** OpenAI's seed, penalties and logit bias on the translated path: carried, renamed, ignored or refused per dialect. */
class SamplingTranslationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ChatRequest openAiRequest(String extra) throws BadRequestException {
        return OpenAiDialect.INSTANCE.decodeRequest(
                ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private static UpstreamCall call(boolean drop) {
        return new UpstreamCall("up", "p/up", 1024, 0, drop);
    }

    @Test
    void theOpenAiDialectReadsThemAndRefusesMalformedOnes() throws Exception {
        ChatRequest r = openAiRequest(
                ",\"seed\":7,\"presence_penalty\":0.5,\"frequency_penalty\":1,\"logit_bias\":{\"42\":-100}");

        assertThat(r.sampling()).isEqualTo(new Sampling(7L, 0.5, 1.0, "{\"42\":-100}"));
        assertThatThrownBy(() -> openAiRequest(",\"seed\":\"x\""))
                .isInstanceOfSatisfying(
                        BadRequestException.class, e -> assertThat(e.param()).isEqualTo("seed"));
        assertThatThrownBy(() -> openAiRequest(",\"logit_bias\":[1]"))
                .isInstanceOfSatisfying(
                        BadRequestException.class, e -> assertThat(e.param()).isEqualTo("logit_bias"));
    }

    @Test
    void geminiTakesSeedAndPenaltiesUnderItsOwnNames() throws Exception {
        JsonNode body = JSON.readTree(GeminiDialect.googleAi()
                .encodeRequest(
                        openAiRequest(",\"seed\":7,\"presence_penalty\":0.5,\"frequency_penalty\":1"), call(false))
                .body());

        JsonNode config = body.get("generationConfig");
        assertThat(config.get("seed").asLong()).isEqualTo(7);
        assertThat(config.get("presencePenalty").asDouble()).isEqualTo(0.5);
        assertThat(config.get("frequencyPenalty").asDouble()).isEqualTo(1.0);
    }

    @Test
    void aLogitBiasIsRefusedNamingItWhereThereIsNoneAndDroppedWhenConfigured() throws Exception {
        ChatRequest biased = openAiRequest(",\"logit_bias\":{\"42\":-100}");
        for (UpstreamDialect dialect : new UpstreamDialect[] {
            AnthropicDialect.INSTANCE,
            GeminiDialect.googleAi(),
            BedrockDialect.INSTANCE,
            OpenAiCompatibleDialect.vendor(VendorProfile.of("deepseek"))
        }) {
            assertThatThrownBy(() -> dialect.encodeRequest(biased, call(false)))
                    .as(dialect.type())
                    .isInstanceOfSatisfying(UnsupportedParameterException.class, e -> {
                        assertThat(e.param()).isEqualTo("logit_bias");
                        assertThat(e.getMessage()).contains("p/up");
                    });
            assertThat(new String(dialect.encodeRequest(biased, call(true)).body(), StandardCharsets.UTF_8))
                    .as(dialect.type())
                    .doesNotContain("logit");
        }
    }

    @Test
    void anOpenAiUpstreamGetsAllFourThroughTranslation() throws Exception {
        JsonNode body = JSON.readTree(OpenAiDialect.INSTANCE
                .encodeRequest(
                        openAiRequest(
                                ",\"seed\":7,\"presence_penalty\":0.5,\"frequency_penalty\":1,\"logit_bias\":{\"42\":-100}"),
                        call(false))
                .body());

        assertThat(body.get("seed").asLong()).isEqualTo(7);
        assertThat(body.get("presence_penalty").asDouble()).isEqualTo(0.5);
        assertThat(body.get("frequency_penalty").asDouble()).isEqualTo(1.0);
        assertThat(body.get("logit_bias").get("42").asInt()).isEqualTo(-100);
    }

    @Test
    void deepSeeksInsufficientBalanceIsTheDeploymentsFaultNotTheCallers() {
        ProviderError e = OpenAiCompatibleDialect.vendor(VendorProfile.of("deepseek"))
                .mapError(
                        402,
                        h -> null,
                        "{\"error\":{\"message\":\"Insufficient Balance\",\"type\":\"unknown_error\"}}"
                                .getBytes(StandardCharsets.UTF_8),
                        0);

        assertThat(e.deploymentFault()).isTrue();
        assertThat(e.error().status()).isEqualTo(502);
        assertThat(e.error().code()).isEqualTo("upstream_payment_required");
    }
}
