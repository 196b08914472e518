package dev.tollgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigWatcher;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.server.Gateway;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real gateway on real sockets in front of two provider simulators, configured through a real YAML file (so
 * hot reload can be exercised by editing it). sim-a is the priority-1 deployment of {@code chat-small}, sim-b the
 * fallback; both require the upstream key, so a test can see which credential reached them.
 */
public final class GatewayFixture implements AutoCloseable {
    public static final String ACME_KEY = "tg-acme-test-key-000000000000000000000000";
    public static final String ADMIN_TOKEN = "admin-test-token";
    public static final String UPSTREAM_KEY = "sk-upstream-secret-4242";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public final Vertx simVertx;
    public final ProviderSimulator simA;
    public final ProviderSimulator simB;
    public final Path dir;
    public final Path configFile;
    public final Map<String, String> env = new HashMap<>();
    public final Gateway gateway;
    private final ConfigWatcher watcher;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String extraProviders;
    private final String extraModels;

    private GatewayFixture(String extraYaml, Duration tokenDelay, String extraProviders, String extraModels)
            throws Exception {
        this(extraYaml, tokenDelay, extraProviders, extraModels, Clock.systemUTC());
    }

    private GatewayFixture(
            String extraYaml, Duration tokenDelay, String extraProviders, String extraModels, Clock clock)
            throws Exception {
        this.extraProviders = extraProviders;
        this.extraModels = extraModels;
        simVertx = Vertx.vertx();
        simA = ProviderSimulator.start(
                simVertx,
                SimulatorOptions.defaults("sim-a")
                        .withPort(0)
                        .withApiKey(UPSTREAM_KEY)
                        .withTokenDelay(tokenDelay));
        simB = ProviderSimulator.start(
                simVertx,
                SimulatorOptions.defaults("sim-b")
                        .withPort(0)
                        .withApiKey(UPSTREAM_KEY)
                        .withTokenDelay(tokenDelay));
        dir = Files.createTempDirectory("tollgate-test-");
        configFile = dir.resolve("tollgate.yaml");
        env.put("ACME_KEY", ACME_KEY);
        env.put("TOLLGATE_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("UPSTREAM_KEY", UPSTREAM_KEY);
        Files.writeString(configFile, yaml(extraYaml), StandardCharsets.UTF_8);
        GatewayConfig config = ConfigLoader.load(configFile, env);
        gateway = Gateway.start(config, Gateway.defaultJournal(config), clock);
        watcher = ConfigWatcher.start(configFile, env, config, next -> {
            try {
                gateway.apply(next);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public static GatewayFixture start() throws Exception {
        return new GatewayFixture("", Duration.ZERO, "", "");
    }

    /** With more top-level YAML appended (e.g. {@code limits:} or {@code timeouts:}) and a delay between chunks. */
    public static GatewayFixture start(String extraYaml, Duration tokenDelay) throws Exception {
        return new GatewayFixture(extraYaml, tokenDelay, "", "");
    }

    /**
     * With more providers and models besides the simulators': {@code extraProviders} and {@code extraModels} are YAML
     * lines (indented by two spaces) added under {@code providers:} and {@code models:}.
     */
    public static GatewayFixture start(String extraYaml, Duration tokenDelay, String extraProviders, String extraModels)
            throws Exception {
        return new GatewayFixture(extraYaml, tokenDelay, extraProviders, extraModels);
    }

    /** As above, with the gateway on {@code clock} (the time compliance rules and breakers see). */
    public static GatewayFixture start(
            String extraYaml, Duration tokenDelay, String extraProviders, String extraModels, Clock clock)
            throws Exception {
        return new GatewayFixture(extraYaml, tokenDelay, extraProviders, extraModels, clock);
    }

    public String yaml(String extra) {
        return """
                listen: 127.0.0.1:0
                admin:
                  listen: 127.0.0.1:0
                  token: ${TOLLGATE_ADMIN_TOKEN}
                store: ./tollgate.db
                providers:
                  sim-a: {type: openai, base_url: %s, api_key: ${UPSTREAM_KEY}, region: sg}
                  sim-b: {type: openai, base_url: %s, api_key: ${UPSTREAM_KEY}, region: us}
                %smodels:
                  chat-small:
                    - {provider: sim-a, model: sim-chat, priority: 1}
                    - {provider: sim-b, model: sim-chat, priority: 2}
                  embed-small:
                    - {provider: sim-a, model: sim-embed}
                %stenants:
                  acme:
                    country: DE
                    keys: [${ACME_KEY}]
                """.formatted(simA.baseUrl(), simB.baseUrl(), extraProviders, extraModels) + extra;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + gateway.port() + "/v1";
    }

    public OpenAIClient openAi() {
        return openAi(ACME_KEY);
    }

    public OpenAIClient openAi(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl())
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    /** Rewrites the configuration file the way an editor does: write a new file, rename it over the old one. */
    public void rewriteConfig(String yaml) throws IOException {
        Path tmp = dir.resolve("tollgate.yaml.tmp");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(
                tmp,
                configFile,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public HttpResponse<String> post(String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Back to a healthy start: no faults, no recorded requests, every circuit breaker closed. */
    public void reset() {
        simA.fault(dev.tollgate.sim.Fault.none());
        simB.fault(dev.tollgate.sim.Fault.none());
        simA.clearRequests();
        simB.clearRequests();
        gateway.health().reset();
    }

    /** A chat completions request from tenant acme with one user message. */
    public HttpRequest chatRequest(String model, boolean stream, String userMessage) throws IOException {
        String body = MAPPER.writeValueAsString(java.util.Map.of(
                "model", model,
                "stream", stream,
                "messages", java.util.List.of(java.util.Map.of("role", "user", "content", userMessage))));
        return HttpRequest.newBuilder(URI.create(baseUrl() + "/chat/completions"))
                .header("authorization", "Bearer " + ACME_KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    public JsonNode admin(String method, String path, String body) throws Exception {
        HttpResponse<String> r = adminRaw(method, path, body, ADMIN_TOKEN);
        if (r.statusCode() >= 400) {
            throw new AssertionError("admin " + method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return MAPPER.readTree(r.body());
    }

    public HttpResponse<String> adminRaw(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public JsonNode usage(String tenant) throws Exception {
        return admin("GET", "/admin/v1/usage?tenant=" + tenant, null);
    }

    @Override
    public void close() throws Exception {
        watcher.close();
        gateway.close();
        simA.close();
        simB.close();
        simVertx.close().await();
    }
}
