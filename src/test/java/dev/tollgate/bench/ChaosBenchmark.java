package dev.tollgate.bench;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigWatcher;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.server.Gateway;
import dev.tollgate.sim.Fault;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The chaos benchmark (run by {@code bench/chaos.sh}): steady closed-loop load on one gateway while its deployments
 * fail and recover and its configuration file changes. Three simulators: model {@code chat} has sim-a (priority 1)
 * and sim-b (priority 2), and falls back to model {@code open} on sim-c. One phase per event, each
 * {@code phaseSeconds} long:
 *
 * <ol>
 *   <li>baseline: all healthy (latency reference)
 *   <li>sim-a answers 500; then recovers
 *   <li>sim-a hangs (first byte never comes); then recovers
 *   <li>sim-a's process stops (port closed); then starts again on the same port
 *   <li>the configuration file swaps the priorities (sim-b first)
 *   <li>sim-a and sim-b both answer 503: the fallback model {@code open} serves
 *   <li>recovery
 * </ol>
 *
 * <p>Reported per phase: requests, success rate, latency p50/p99 and added latency against the baseline, the time
 * until traffic moves (from the event until the first of {@value #RUN} requests in a row all served by the deployment
 * expected after the event) and how many requests were slow (above twice the baseline p99 plus 20 ms: they paid for
 * a failed attempt, e.g. a half-open probe of a hanging deployment).
 */
public final class ChaosBenchmark {
    /** How many requests in a row served as expected count as "traffic moved". */
    private static final int RUN = 50;

    private record Sample(long startNanos, long latencyNanos, int status, String deployment) {}

    private record Phase(String name, String expected, long startNanos, long endNanos) {}

    public static void main(String[] args) throws Exception {
        int phaseSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path out = Path.of(args.length > 2 ? args[2] : "bench/out/chaos.md");
        new ChaosBenchmark(phaseSeconds, workers).run(out);
    }

    private final int phaseSeconds;
    private final int workers;
    private final Vertx simVertx = Vertx.vertx();
    private final String key = "tg-chaos-key-00000000000000000000000000";
    private final String upstreamKey = "sk-chaos-upstream";
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private ProviderSimulator simA;
    private ProviderSimulator simB;
    private ProviderSimulator simC;
    private int portA;

    private ChaosBenchmark(int phaseSeconds, int workers) {
        this.phaseSeconds = phaseSeconds;
        this.workers = workers;
    }

    private ProviderSimulator sim(String name, int port) {
        return ProviderSimulator.start(
                simVertx, SimulatorOptions.defaults(name).withPort(port).withApiKey(upstreamKey));
    }

    private String yaml(boolean bFirst) {
        return """
                listen: 127.0.0.1:0
                store: ./chaos.db
                providers:
                  sim-a: {type: openai, base_url: %s, api_key: ${UPSTREAM_KEY}}
                  sim-b: {type: openai, base_url: %s, api_key: ${UPSTREAM_KEY}}
                  sim-c: {type: openai, base_url: %s, api_key: ${UPSTREAM_KEY}}
                models:
                  chat:
                    deployments:
                      - {provider: sim-a, model: sim-chat, priority: %d}
                      - {provider: sim-b, model: sim-chat, priority: %d}
                    fallback: [open]
                  open: [{provider: sim-c, model: open-weights}]
                tenants:
                  bench: {keys: [${BENCH_KEY}]}
                timeouts: {connect: 500ms, first_byte: 1s, idle: 2s, request: 8s}
                routing:
                  retries: 1
                  backoff_base: 20ms
                  breaker: {failure_rate: 50, minimum_calls: 10, window: 20, consecutive_failures: 3, open_for: 3s,
                            half_open_calls: 2}
                  health_check: {interval: 500ms, timeout: 300ms}
                """.formatted(simA.baseUrl(), simB.baseUrl(), simC.baseUrl(), bFirst ? 2 : 1, bFirst ? 1 : 2);
    }

    private void run(Path report) throws Exception {
        simA = sim("sim-a", 0);
        portA = simA.port();
        simB = sim("sim-b", 0);
        simC = sim("sim-c", 0);
        Path dir = Files.createTempDirectory("tollgate-chaos-");
        Path file = dir.resolve("tollgate.yaml");
        Map<String, String> env = Map.of("UPSTREAM_KEY", upstreamKey, "BENCH_KEY", key);
        Files.writeString(
                file, yaml(false).replace("./chaos.db", dir.resolve("chaos.db").toString()));
        GatewayConfig config = ConfigLoader.load(file, env);
        Gateway gateway = Gateway.start(config);
        ConfigWatcher watcher = ConfigWatcher.start(file, env, config, next -> {
            try {
                gateway.apply(next);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        URI uri = URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions");
        byte[] body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me something\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        // Warm-up: JIT and connection pools, not measured.
        runLoad(http, uri, body, Duration.ofSeconds(20));
        samples.clear();

        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < workers; i++) {
            pool.submit(() -> loop(http, uri, body));
        }
        List<Phase> phases = new ArrayList<>();
        phases.add(phase("baseline (all healthy)", "sim-a/sim-chat", () -> {}));
        phases.add(phase("sim-a answers 500", "sim-b/sim-chat", () -> simA.fault(Fault.status(500))));
        phases.add(phase("sim-a recovers", "sim-a/sim-chat", () -> simA.fault(Fault.none())));
        phases.add(phase("sim-a hangs", "sim-b/sim-chat", () -> simA.fault(Fault.hang())));
        phases.add(phase("sim-a recovers", "sim-a/sim-chat", () -> simA.fault(Fault.none())));
        phases.add(phase("sim-a process stops", "sim-b/sim-chat", () -> simA.close()));
        phases.add(phase("sim-a starts again", "sim-a/sim-chat", () -> simA = sim("sim-a", portA)));
        phases.add(phase("config file: sim-b first", "sim-b/sim-chat", () -> {
            Path tmp = dir.resolve("tollgate.yaml.tmp");
            Files.writeString(
                    tmp,
                    yaml(true).replace("./chaos.db", dir.resolve("chaos.db").toString()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }));
        phases.add(phase("sim-a and sim-b answer 503: fallback model", "sim-c/open-weights", () -> {
            simA.fault(Fault.status(503));
            simB.fault(Fault.status(503));
        }));
        phases.add(phase("all recover", "sim-b/sim-chat", () -> {
            simA.fault(Fault.none());
            simB.fault(Fault.none());
        }));
        running.set(false);
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);

        String table = report(phases);
        System.out.println(table);
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, table);
        watcher.close();
        gateway.close();
        simA.close();
        simB.close();
        simC.close();
        simVertx.close().await();
    }

    private interface Action {
        void run() throws Exception;
    }

    private Phase phase(String name, String expected, Action event) throws Exception {
        long start = System.nanoTime();
        event.run();
        Thread.sleep(phaseSeconds * 1000L);
        return new Phase(name, expected, start, System.nanoTime());
    }

    private void runLoad(HttpClient http, URI uri, byte[] body, Duration duration) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < workers; i++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    send(http, uri, body);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(duration.toSeconds() + 30, TimeUnit.SECONDS);
    }

    private void loop(HttpClient http, URI uri, byte[] body) {
        while (running.get()) {
            send(http, uri, body);
            try {
                Thread.sleep(10); // a steady, moderate load: the machine is shared
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void send(HttpClient http, URI uri, byte[] body) {
        long start = System.nanoTime();
        int status;
        String deployment = null;
        try {
            HttpResponse<byte[]> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(30))
                            .header("authorization", "Bearer " + key)
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            status = r.statusCode();
            deployment = r.headers().firstValue("x-tollgate-deployment").orElse(null);
        } catch (Exception e) {
            status = -1;
        }
        samples.add(new Sample(start, System.nanoTime() - start, status, deployment));
    }

    private String report(List<Phase> phases) {
        List<Sample> all = new ArrayList<>(samples);
        all.sort((x, y) -> Long.compare(x.startNanos(), y.startNanos()));
        Phase base = phases.getFirst();
        List<Long> baseLatency = latencies(in(all, base));
        double baseP50 = percentile(baseLatency, 50);
        double baseP99 = percentile(baseLatency, 99);
        long fastEnough = (long) (2 * baseP99 * 1e6) + 20_000_000L;
        StringBuilder t = new StringBuilder();
        long total =
                all.stream().filter(s -> s.startNanos() >= base.startNanos()).count();
        long ok = all.stream()
                .filter(s -> s.startNanos() >= base.startNanos() && s.status() == 200)
                .count();
        t.append(String.format(
                Locale.ROOT,
                "Chaos benchmark: %d workers, %d s per phase, %d requests, success %.2f%% overall%n%n",
                workers,
                phaseSeconds,
                total,
                100.0 * ok / Math.max(1, total)));
        t.append("| phase | requests | success | p50 ms | p99 ms | added p50 ms | added p99 ms | slow |"
                + " traffic moved to | after ms |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (Phase p : phases) {
            List<Sample> in = in(all, p);
            long good = in.stream().filter(s -> s.status() == 200).count();
            List<Long> lat = latencies(in);
            double p50 = percentile(lat, 50);
            double p99 = percentile(lat, 99);
            String moved = p == base ? "-" : movedAfter(in, p);
            long slow = in.stream().filter(x -> x.latencyNanos() > fastEnough).count();
            t.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %.2f%% | %.1f | %.1f | %+.1f | %+.1f | %d | %s | %s |%n",
                    p.name(),
                    in.size(),
                    100.0 * good / Math.max(1, in.size()),
                    p50,
                    p99,
                    p50 - baseP50,
                    p99 - baseP99,
                    slow,
                    p.expected(),
                    moved));
        }
        return t.toString();
    }

    /** Milliseconds from the phase's event until the first of {@link #RUN} requests in a row served as expected. */
    private static String movedAfter(List<Sample> in, Phase p) {
        int run = 0;
        for (int i = 0; i < in.size(); i++) {
            Sample s = in.get(i);
            run = s.status() == 200 && p.expected().equals(s.deployment()) ? run + 1 : 0;
            if (run == RUN) {
                long first = in.get(i - RUN + 1).startNanos();
                return String.valueOf(TimeUnit.NANOSECONDS.toMillis(Math.max(0, first - p.startNanos())));
            }
        }
        return "never";
    }

    private static List<Sample> in(List<Sample> all, Phase p) {
        return all.stream()
                .filter(s -> s.startNanos() >= p.startNanos() && s.startNanos() < p.endNanos())
                .toList();
    }

    private static List<Long> latencies(List<Sample> samples) {
        List<Long> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            out.add(s.latencyNanos());
        }
        Collections.sort(out);
        return out;
    }

    /** The nearest-rank percentile in milliseconds. */
    private static double percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1)) / 1e6;
    }
}
