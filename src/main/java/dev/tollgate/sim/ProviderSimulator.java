package dev.tollgate.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A fake OpenAI-compatible provider on a real socket: it answers chat completions (plain and streamed), embeddings and
 * the model list in OpenAI's exact wire format, deterministically from the request, and misbehaves on demand through
 * {@link Fault}s. It stands in for remote providers in the demo, in integration tests and in benchmarks.
 *
 * <p>All methods are thread-safe. {@link #start} and {@link #close} block, so do not call them on an event loop.
 */
public final class ProviderSimulator implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(10);
    /**
     * The AWS access key id the simulated Bedrock accepts SigV4 signatures from; its secret is the simulator's API key.
     */
    public static final String AWS_ACCESS_KEY_ID = "AKIATOLLGATESIM";

    private final HttpServer server;
    private final SimulatorOptions options;
    private final FaultSchedule faults;
    private final StatsCounter stats;
    private final RequestLog log;

    private ProviderSimulator(
            HttpServer server, SimulatorOptions options, FaultSchedule faults, StatsCounter stats, RequestLog log) {
        this.server = server;
        this.options = options;
        this.faults = faults;
        this.stats = stats;
        this.log = log;
    }

    /** Binds and returns once the simulator is listening. */
    public static ProviderSimulator start(Vertx vertx, SimulatorOptions options) {
        FaultSchedule faults = new FaultSchedule();
        StatsCounter stats = new StatsCounter();
        RequestLog log = new RequestLog();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost(options.host())
                        .setPort(options.port())
                        .setHandle100ContinueAutomatically(true))
                .requestHandler(new OpenAiEndpoints(vertx, options, faults, stats, log));
        await(server.listen(), "listen on " + options.host() + ":" + options.port());
        return new ProviderSimulator(server, options, faults, stats, log);
    }

    public int port() {
        return server.actualPort();
    }

    /** Where an OpenAI client should point, e.g. {@code http://127.0.0.1:40123/v1}. */
    public String baseUrl() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port() + "/v1";
    }

    /**
     * The root URL, as Gemini's and Bedrock's SDKs take a base URL: e.g. {@code http://127.0.0.1:40123}; the simulator
     * answers {@code /v1beta/models/...}, Vertex AI's {@code /v1/projects/...} and Bedrock's {@code /model/...} there.
     */
    public String rootUrl() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port();
    }

    public SimulatorOptions options() {
        return options;
    }

    /** Applies to every later chat and embedding request until changed; {@link Fault#none()} clears it. */
    public void fault(Fault fault) {
        faults.set(fault);
    }

    /**
     * Applies {@code fault} to the next {@code times} chat and embedding requests only, then falls back to the fault
     * set with {@link #fault(Fault)} (normally none): "fail twice, then recover".
     */
    public void fault(Fault fault, int times) {
        faults.setFor(fault, times);
    }

    public SimulatorStats stats() {
        return stats.snapshot();
    }

    public void resetStats() {
        stats.reset();
    }

    /** The last {@value RequestLog#CAPACITY} requests received, oldest first, whatever was answered. */
    public List<RecordedRequest> requests() {
        return log.snapshot();
    }

    public void clearRequests() {
        log.clear();
    }

    /** Stops listening and drops open connections, including hung ones. */
    @Override
    public void close() {
        await(server.close(), "close");
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("simulator could not " + what, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("simulator did not " + what + " within " + STARTUP, e);
        }
    }

    /**
     * Runs one simulator until the process is stopped, for benchmarks and manual tries:
     * {@code --port 19101 --name sim-a [--host 127.0.0.1] [--api-key K] [--token-delay-ms 20] [--chunk-tokens 3]}.
     */
    public static void main(String[] args) throws InterruptedException {
        SimulatorOptions options = SimulatorOptions.defaults("sim").withPort(19101);
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                System.out.println("usage: ProviderSimulator [--host H] [--port P] [--name N] [--api-key K]"
                        + " [--token-delay-ms MS] [--chunk-tokens N]");
                return;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String value = args[++i];
            options = switch (flag) {
                case "--host" ->
                    new SimulatorOptions(
                            value,
                            options.port(),
                            options.name(),
                            options.apiKey(),
                            options.tokenDelay(),
                            options.chunkTokens());
                case "--port" -> options.withPort(Integer.parseInt(value));
                case "--name" ->
                    new SimulatorOptions(
                            options.host(),
                            options.port(),
                            value,
                            options.apiKey(),
                            options.tokenDelay(),
                            options.chunkTokens());
                case "--api-key" -> options.withApiKey(value);
                case "--token-delay-ms" -> options.withTokenDelay(Duration.ofMillis(Long.parseLong(value)));
                case "--chunk-tokens" -> options.withChunkTokens(Integer.parseInt(value));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            };
        }
        Vertx vertx = Vertx.vertx();
        ProviderSimulator simulator = start(vertx, options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            vertx.close();
            stopped.countDown();
        }));
        System.out.println("provider simulator " + options.name() + " listening on " + simulator.baseUrl());
        stopped.await();
    }
}
