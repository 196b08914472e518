package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.testing.TestDatabase;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances sharing one PostgreSQL store, as when scaled out behind a load balancer: keys created or
 * revoked through either reach the other within the refresh interval, usage from both is counted exactly by
 * either, and each instance keeps its own journal.
 */
class SharedStoreTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ADMIN_TOKEN = "admin-shared-test";
    private static final String UPSTREAM_KEY = "sk-upstream-shared";
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The refresh interval, plus room for a busy machine. */
    private static final Duration PROPAGATION = Gateway.KEY_REFRESH.multipliedBy(5);

    private static TestDatabase database;
    private static Vertx simVertx;
    private static ProviderSimulator sim;
    private static Path dir;
    private static GatewayConfig config;
    private static Gateway a;
    private static Gateway b;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.postgres();
        simVertx = Vertx.vertx();
        sim = ProviderSimulator.start(
                simVertx, SimulatorOptions.defaults("sim").withPort(0).withApiKey(UPSTREAM_KEY));
        dir = Files.createTempDirectory("tollgate-shared-");
        Path file = dir.resolve("tollgate.yaml");
        Files.writeString(file, """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0, token: ${ADMIN_TOKEN}}
                store: ${STORE}
                providers:
                  sim: {type: openai, base_url: %s, api_key: ${UPSTREAM_KEY}, region: sg}
                models:
                  chat-small:
                    - {provider: sim, model: sim-chat}
                tenants:
                  acme: {country: DE}
                """.formatted(sim.baseUrl()));
        config = ConfigLoader.load(
                file, Map.of("ADMIN_TOKEN", ADMIN_TOKEN, "UPSTREAM_KEY", UPSTREAM_KEY, "STORE", database.location()));
        a = Gateway.start(config, dir.resolve("journal-a"));
        b = Gateway.start(config, dir.resolve("journal-b"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {a, b, sim}) {
            if (c != null) {
                c.close();
            }
        }
        if (simVertx != null) {
            simVertx.close().await(10, TimeUnit.SECONDS);
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void a_key_created_on_one_instance_works_on_the_other_and_its_revocation_reaches_it_too() throws Exception {
        JsonNode created = admin(a, "POST", "/admin/v1/keys", "{\"tenant\":\"acme\",\"name\":\"shared\"}");
        String key = created.get("key").asText();
        assertThat(chat(a, key).statusCode())
                .as("at once on the instance that made it")
                .isEqualTo(200);
        await().atMost(PROPAGATION)
                .untilAsserted(() -> assertThat(chat(b, key).statusCode()).isEqualTo(200));

        admin(b, "DELETE", "/admin/v1/keys/" + created.get("id").asText(), null);
        assertThat(chat(b, key).statusCode())
                .as("at once on the instance that revoked it")
                .isEqualTo(401);
        await().atMost(PROPAGATION)
                .untilAsserted(() -> assertThat(chat(a, key).statusCode()).isEqualTo(401));
    }

    @Test
    void usage_served_by_both_instances_is_counted_exactly_by_either() throws Exception {
        JsonNode created = admin(a, "POST", "/admin/v1/keys", "{\"tenant\":\"acme\",\"models\":[\"chat-small\"]}");
        String key = created.get("key").asText();
        String keyId = created.get("id").asText();
        await().atMost(PROPAGATION)
                .untilAsserted(() -> assertThat(chat(b, key).statusCode()).isEqualTo(200));
        admin(b, "GET", "/admin/v1/usage?tenant=acme", null); // the warm-up request stored
        JsonNode start = admin(a, "GET", "/admin/v1/usage?tenant=acme&key=" + keyId, null);
        sim.resetStats();
        for (int i = 0; i < 6; i++) {
            assertThat(chat(i % 2 == 0 ? a : b, key).statusCode()).isEqualTo(200);
        }
        // Each instance flushes only its own ledger: ask both, then either sees everything.
        admin(a, "GET", "/admin/v1/usage?tenant=acme", null);
        admin(b, "GET", "/admin/v1/usage?tenant=acme", null);
        for (Gateway g : new Gateway[] {a, b}) {
            JsonNode usage = admin(g, "GET", "/admin/v1/usage?tenant=acme&key=" + keyId, null);
            assertThat(usage.get("requests").asLong() - start.get("requests").asLong())
                    .isEqualTo(6);
            assertThat(usage.get("prompt_tokens").asLong()
                            - start.get("prompt_tokens").asLong())
                    .as("what the upstream reported")
                    .isEqualTo(sim.stats().promptTokens());
            assertThat(usage.get("completion_tokens").asLong()
                            - start.get("completion_tokens").asLong())
                    .isEqualTo(sim.stats().completionTokens());
        }
    }

    @Test
    void two_instances_cannot_share_one_journal() {
        assertThatThrownBy(() -> Gateway.start(config, dir.resolve("journal-a")))
                .hasStackTraceContaining("in use by another Tollgate process");
    }

    private static HttpResponse<String> chat(Gateway g, String key) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/v1/chat/completions"))
                        .header("authorization", "Bearer " + key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode admin(Gateway g, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + path))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .header("authorization", "Bearer " + ADMIN_TOKEN)
                        .header("content-type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
        return MAPPER.readTree(r.body());
    }
}
