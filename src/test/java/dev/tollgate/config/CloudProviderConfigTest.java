package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code type: gemini} (Google AI and Vertex AI) and {@code type: bedrock} (SigV4 keys or a Bedrock API key). */
class CloudProviderConfigTest {
    static final Path FILE = Path.of("/etc/tollgate/tollgate.yaml");

    static String withProvider(String provider) {
        return """
                listen: 127.0.0.1:8080
                providers:
                  cloud: %s
                models:
                  chat: [{provider: cloud, model: m}]
                """.formatted(provider);
    }

    static ProviderConfig provider(String provider, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(withProvider(provider), FILE, env).providers().get("cloud");
    }

    static List<ConfigProblem> problems(String provider, Map<String, String> env) {
        try {
            ConfigLoader.parse(withProvider(provider), FILE, env);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be rejected");
    }

    @Test
    void googleAiTakesItsKeyFromTheFileAndDefaultsTheBaseUrlToTheOneTheSdkUses() throws Exception {
        ProviderConfig p = provider("{type: gemini, api_key: ${GEMINI_KEY}}", Map.of("GEMINI_KEY", "AIza-file"));

        assertThat(p.baseUrl()).isEqualTo(URI.create("https://generativelanguage.googleapis.com"));
        assertThat(p.apiKey()).isEqualTo(new Secret("AIza-file"));
        assertThat(p.cloud()).isNull();
    }

    @Test
    void googleAiFallsBackToTheEnvironmentVariablesTheGoogleSdkReads() throws Exception {
        assertThat(provider("{type: gemini}", Map.of("GEMINI_API_KEY", "AIza-env"))
                        .apiKey())
                .isEqualTo(new Secret("AIza-env"));
        assertThat(provider("{type: gemini}", Map.of("GOOGLE_API_KEY", "AIza-google"))
                        .apiKey())
                .isEqualTo(new Secret("AIza-google"));
    }

    @Test
    void geminiWithoutAnyCredentialIsRefusedNamingBothForms() {
        List<ConfigProblem> problems = problems("{type: gemini}", Map.of());

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.field()).isEqualTo("providers.cloud.api_key");
            assertThat(p.message()).contains("Google AI").contains("Vertex AI");
        });
    }

    @Test
    void vertexNeedsProjectLocationAndTokenAndDerivesTheRegionalEndpoint() throws Exception {
        ProviderConfig p = provider(
                "{type: gemini, project: acme-ml, location: europe-west4, access_token: ${TOKEN}}",
                Map.of("TOKEN", "ya29.token"));

        assertThat(p.baseUrl()).isEqualTo(URI.create("https://europe-west4-aiplatform.googleapis.com"));
        assertThat(p.apiKey()).isNull();
        assertThat(p.cloud()).isEqualTo(new CloudAccess.Vertex("acme-ml", "europe-west4", new Secret("ya29.token")));
        assertThat(p.toString()).doesNotContain("ya29");
    }

    @Test
    void vertexGlobalLocationUsesTheGlobalEndpoint() throws Exception {
        ProviderConfig p = provider("{type: gemini, project: p, location: global, access_token: t}", Map.of());

        assertThat(p.baseUrl()).isEqualTo(URI.create("https://aiplatform.googleapis.com"));
    }

    @Test
    void vertexWithAMissingPartIsRefusedNamingIt() {
        List<ConfigProblem> problems = problems("{type: gemini, project: p, location: us-central1}", Map.of());

        assertThat(problems)
                .singleElement()
                .satisfies(p -> assertThat(p.field()).isEqualTo("providers.cloud.access_token"));
    }

    @Test
    void bedrockSignsWithKeysFromTheFileAndDefaultsTheRegionalEndpoint() throws Exception {
        ProviderConfig p = provider(
                "{type: bedrock, region: eu-central-1, access_key_id: AKIDEXAMPLE, secret_access_key: ${SECRET},"
                        + " session_token: ${TOKEN}}",
                Map.of("SECRET", "wJalrXUtnFEMI", "TOKEN", "FwoGZXIvYXdz"));

        assertThat(p.baseUrl()).isEqualTo(URI.create("https://bedrock-runtime.eu-central-1.amazonaws.com"));
        assertThat(p.region()).isEqualTo("eu-central-1");
        assertThat(p.apiKey()).isNull();
        assertThat(p.cloud())
                .isEqualTo(new CloudAccess.Aws(
                        "eu-central-1",
                        new Secret("AKIDEXAMPLE"),
                        new Secret("wJalrXUtnFEMI"),
                        new Secret("FwoGZXIvYXdz")));
        assertThat(p.toString()).doesNotContain("wJalrXUtnFEMI").doesNotContain("FwoGZXIvYXdz");
    }

    @Test
    void bedrockFallsBackToTheAwsEnvironmentVariables() throws Exception {
        ProviderConfig p = provider(
                "{type: bedrock}",
                Map.of("AWS_REGION", "us-west-2", "AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "secret"));

        assertThat(p.region()).isEqualTo("us-west-2");
        assertThat(p.cloud())
                .isEqualTo(new CloudAccess.Aws("us-west-2", new Secret("AKID"), new Secret("secret"), null));
    }

    @Test
    void aBedrockApiKeyIsABearerTokenFromTheFileOrTheEnvironment() throws Exception {
        assertThat(provider("{type: bedrock, region: us-east-1, api_key: ABSK-file}", Map.of())
                        .apiKey())
                .isEqualTo(new Secret("ABSK-file"));
        ProviderConfig env = provider(
                "{type: bedrock, region: us-east-1}",
                Map.of("AWS_BEARER_TOKEN_BEDROCK", "ABSK-env", "AWS_ACCESS_KEY_ID", "AKID"));
        assertThat(env.apiKey()).isEqualTo(new Secret("ABSK-env"));
        assertThat(env.cloud()).isNull();
    }

    @Test
    void bedrockRefusesAMissingRegionAKeyWithoutItsSecretAndTwoCredentials() {
        assertThat(problems("{type: bedrock, api_key: k}", Map.of()))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).isEqualTo("providers.cloud.region");
                    assertThat(p.message()).contains("us-east-1");
                });
        assertThat(problems("{type: bedrock, region: us-east-1, access_key_id: AKID}", Map.of()))
                .singleElement()
                .satisfies(p -> assertThat(p.field()).isEqualTo("providers.cloud.secret_access_key"));
        assertThat(problems(
                        "{type: bedrock, region: us-east-1, api_key: k, access_key_id: a, secret_access_key: s}",
                        Map.of()))
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("not both"));
        assertThat(problems("{type: bedrock, region: Frankfurt, api_key: k}", Map.of()))
                .singleElement()
                .satisfies(p -> assertThat(p.column()).isEqualTo(34));
    }

    @Test
    void aFieldOfAnotherProviderTypeIsRefusedWhereItStands() {
        List<ConfigProblem> problems =
                problems("{type: openai, base_url: http://127.0.0.1:1/v1, access_key_id: AKID}", Map.of());

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("providers.cloud.access_key_id");
            assertThat(p.column()).isEqualTo(58);
            assertThat(p.message()).contains("type: bedrock");
        });
    }
}
