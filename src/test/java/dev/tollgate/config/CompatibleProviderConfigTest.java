package dev.tollgate.config;

import static dev.tollgate.config.CloudProviderConfigTest.problems;
import static dev.tollgate.config.CloudProviderConfigTest.provider;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.provider.UpstreamTarget;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code type: openai-compatible} with {@code vendor:} profiles, and {@code type: azure} in both URL forms. */
class CompatibleProviderConfigTest {

    @ParameterizedTest
    @CsvSource({
        "deepseek, https://api.deepseek.com",
        "zhipu, https://open.bigmodel.cn/api/paas/v4",
        "qwen, https://dashscope.aliyuncs.com/compatible-mode/v1",
        "moonshot, https://api.moonshot.ai/v1",
        "minimax, https://api.minimax.io/v1",
        "siliconflow, https://api.siliconflow.cn/v1",
        "ollama, http://localhost:11434/v1",
        "vllm, http://localhost:8000/v1"
    })
    void aVendorWithoutBaseUrlGetsTheOneItsDocsGiveTheOpenAiSdk(String vendor, String baseUrl) throws Exception {
        ProviderConfig p = provider("{type: openai-compatible, vendor: " + vendor + ", api_key: k}", Map.of());

        assertThat(p.vendor()).isEqualTo(vendor);
        assertThat(p.baseUrl()).isEqualTo(URI.create(baseUrl));
    }

    @Test
    void anExplicitBaseUrlWinsOverTheVendorsDefault() throws Exception {
        ProviderConfig p = provider(
                "{type: openai-compatible, vendor: moonshot, base_url: 'https://api.moonshot.cn/v1', api_key: k}",
                Map.of());

        assertThat(p.baseUrl()).isEqualTo(URI.create("https://api.moonshot.cn/v1"));
    }

    @Test
    void localVendorsNeedNoKeyButHostedOnesDo() throws Exception {
        assertThat(provider("{type: openai-compatible, vendor: vllm}", Map.of()).apiKey())
                .isNull();
        assertThat(problems("{type: openai-compatible, vendor: deepseek}", Map.of()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("providers.cloud.api_key");
                    assertThat(p.message()).contains("DEEPSEEK_API_KEY");
                });
    }

    @Test
    void aMissingOrUnknownVendorIsRefusedListingTheKnownOnes() {
        assertThat(problems("{type: openai-compatible, api_key: k}", Map.of()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("providers.cloud.vendor");
                    assertThat(p.message())
                            .contains("deepseek")
                            .contains("zhipu")
                            .contains("vllm");
                });
        assertThat(problems("{type: openai-compatible, vendor: mistral, api_key: k}", Map.of()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.line()).isEqualTo(3);
                    assertThat(p.column()).isPositive();
                    assertThat(p.message()).contains("unknown vendor 'mistral'");
                });
    }

    @Test
    void vendorAndAuthBelongToOpenAiCompatibleAndApiVersionToAzure() {
        assertThat(problems("{type: openai, base_url: 'https://x/v1', vendor: deepseek}", Map.of()))
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("only meaningful for type: openai-compatible"));
        assertThat(problems("{type: openai, base_url: 'https://x/v1', api_version: 2024-10-21}", Map.of()))
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("only meaningful for type: azure"));
    }

    @Test
    void zhipuSignsJwtsOnlyWithAnIdDotSecretKey() throws Exception {
        ProviderConfig p = provider("{type: openai-compatible, vendor: zhipu, api_key: abc.def, auth: jwt}", Map.of());
        assertThat(p.jwtAuth()).isTrue();
        assertThat(UpstreamTarget.of(p).headers()).doesNotContainKey("authorization");
        assertThat(UpstreamTarget.of(p).headersFor("/x", "application/json", new byte[0], java.time.Instant.now()))
                .hasEntrySatisfying("authorization", v -> assertThat(v).startsWith("Bearer ey"));

        assertThat(problems("{type: openai-compatible, vendor: zhipu, api_key: nodot, auth: jwt}", Map.of()))
                .singleElement()
                .satisfies(x -> assertThat(x.message()).contains("id.secret").doesNotContain("nodot"));
        assertThat(problems("{type: openai-compatible, vendor: deepseek, api_key: a.b, auth: jwt}", Map.of()))
                .singleElement()
                .satisfies(x -> assertThat(x.message()).contains("only meaningful for vendor: zhipu"));
    }

    @Test
    void azureDeploymentUrlsNeedAnApiVersionAndSendTheKeyAsApiKey() throws Exception {
        ProviderConfig p = provider(
                "{type: azure, base_url: 'https://acme.openai.azure.com', api_version: 2024-10-21, api_key: az-key}",
                Map.of());
        UpstreamTarget target = UpstreamTarget.of(p);

        assertThat(p.apiVersion()).isEqualTo("2024-10-21");
        assertThat(target.headers()).containsEntry("api-key", "az-key").doesNotContainKey("authorization");
        assertThat(target.path("/embeddings", "embed-large"))
                .isEqualTo("/openai/deployments/embed-large/embeddings?api-version=2024-10-21");
        assertThat(problems("{type: azure, base_url: 'https://acme.openai.azure.com', api_key: k}", Map.of()))
                .singleElement()
                .satisfies(x -> {
                    assertThat(x.field()).isEqualTo("providers.cloud.api_version");
                    assertThat(x.message()).contains("2024-10-21").contains("/openai/v1");
                });
    }

    @Test
    void azureV1EndpointTakesNoApiVersion() throws Exception {
        ProviderConfig p =
                provider("{type: azure, base_url: 'https://acme.openai.azure.com/openai/v1/', api_key: k}", Map.of());
        assertThat(p.apiVersion()).isNull();
        assertThat(UpstreamTarget.of(p).path("/chat/completions", "gpt-4o")).isEqualTo("/openai/v1/chat/completions");

        assertThat(problems(
                        "{type: azure, base_url: 'https://acme.openai.azure.com/openai/v1', api_version: 2024-10-21,"
                                + " api_key: k}",
                        Map.of()))
                .singleElement()
                .satisfies(x -> assertThat(x.message()).contains("takes no api_version"));
    }
}
