package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.store.SqlStore;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway process killed with SIGKILL under load has a ledger record for every answer a caller received in full:
 * the record reaches the journal before the answer's last byte, and the next start replays the journal.
 */
class CrashDurabilityTest {
    private static final String ACME_KEY = "tg-acme-crash-key-0000000000000000000000";
    private static final String UPSTREAM_KEY = "sk-crash-upstream-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyAnswerCompletedBeforeASigkillIsInTheLedgerAfterRestartExactlyOnce() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (ProviderSimulator simA = ProviderSimulator.start(
                        vertx,
                        SimulatorOptions.defaults("sim-a")
                                .withApiKey(UPSTREAM_KEY)
                                .withTokenDelay(Duration.ofMillis(2)));
                ProviderSimulator simB = ProviderSimulator.start(
                        vertx, SimulatorOptions.defaults("sim-b").withApiKey(UPSTREAM_KEY))) {
            int port = freePort();
            Path config = dir.resolve("tollgate.yaml");
            Path db = dir.resolve("data/tollgate.db");
            Files.writeString(config, """
                    listen: 127.0.0.1:%d
                    store: ./data/tollgate.db
                    providers:
                      sim-a: {type: openai, base_url: %s, api_key: ${UPSTREAM_KEY}}
                      sim-b: {type: openai, base_url: %s, api_key: ${UPSTREAM_KEY}}
                    models:
                      chat-small:
                        - {provider: sim-a, model: sim-chat, priority: 1}
                        - {provider: sim-b, model: sim-chat, priority: 2}
                    tenants:
                      acme:
                        keys: [${ACME_KEY}]
                    timeouts: {shutdown_drain: 2s}
                    """.formatted(port, simA.baseUrl(), simB.baseUrl()), StandardCharsets.UTF_8);

            Process first = startGateway(config, dir.resolve("first.log"), port);
            Set<String> completed = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            // A cold JVM answers its first requests slowly; warm it so the load phase has many answers in flight.
            long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (int i = 0; i < 40 && System.nanoTime() < warmUntil; i++) {
                HttpResponse<String> r = send(http, port, i % 2 == 0);
                if (r.statusCode() == 200 && complete(r.body(), i % 2 == 0)) {
                    completed.add(r.headers().firstValue("x-request-id").orElseThrow());
                }
            }
            int warm = completed.size();
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                boolean stream = t % 2 == 0;
                load.add(Thread.ofPlatform().start(() -> drive(http, port, stream, stop, completed)));
            }
            Thread.sleep(2_000);
            int beforeKill = completed.size();
            first.destroyForcibly();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            for (Thread t : load) {
                t.join(10_000);
            }
            System.out.printf(
                    "warm-up %d, completed before the kill %d, in all %d%n", warm, beforeKill, completed.size());
            assertThat(beforeKill - warm)
                    .as("load must have completed answers before the kill")
                    .isGreaterThan(20);
            assertThat(Files.list(db.resolveSibling("tollgate.db.journal"))).isNotEmpty();

            Process second = startGateway(config, dir.resolve("second.log"), port);
            HttpResponse<String> after = send(http, port, false);
            second.destroy();
            assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();

            assertThat(after.statusCode()).isEqualTo(200);
            String secondLog = Files.readString(dir.resolve("second.log"));
            assertThat(secondLog).contains("replayed").doesNotContain("ERROR").doesNotContain("Exception");
            try (SqlStore store = SqlStore.open(db.toString())) {
                List<String> ids = store.requestIds("acme");
                assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
                assertThat(ids).containsAll(completed);
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private static void drive(HttpClient http, int port, boolean stream, AtomicBoolean stop, Set<String> completed) {
        while (!stop.get()) {
            try {
                HttpResponse<String> r = send(http, port, stream);
                if (r.statusCode() == 200 && complete(r.body(), stream)) {
                    completed.add(r.headers().firstValue("x-request-id").orElseThrow());
                }
            } catch (IOException e) {
                // The gateway was killed under this request: it never completed, so it need not be in the ledger.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean complete(String body, boolean stream) {
        if (stream) {
            return body.endsWith("data: [DONE]\n\n");
        }
        try {
            return JSON.readTree(body).has("usage");
        } catch (IOException e) {
            return false;
        }
    }

    private static HttpResponse<String> send(HttpClient http, int port, boolean stream)
            throws IOException, InterruptedException {
        String body = "{\"model\":\"chat-small\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"durable please\"}]}";
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                        .header("authorization", "Bearer " + ACME_KEY)
                        .header("content-type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Process startGateway(Path config, Path log, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.tollgate.cli.Main",
                        "serve",
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("ACME_KEY", ACME_KEY);
        pb.environment().put("UPSTREAM_KEY", UPSTREAM_KEY);
        Process process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("gateway exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return process;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("gateway did not listen on " + port + " within 20 s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
