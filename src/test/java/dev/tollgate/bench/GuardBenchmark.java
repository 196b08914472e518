package dev.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.guard.Detector;
import dev.tollgate.guard.Guard;
import dev.tollgate.guard.GuardAudit;
import dev.tollgate.guard.GuardPolicy;
import dev.tollgate.guard.GuardSettings;
import dev.tollgate.guard.Observation;
import dev.tollgate.guard.Trace;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The guard's cost. {@code requestPath}: what a request pays on the event loop, the verdict check before admission
 * plus, at completion, the sample handed to the queue (clock read, one record, a non-blocking offer); measured on
 * the accept path (an unstarted guard whose queue is emptied every {@value #BATCH} requests, that emptying
 * included). {@code detectorObserve}: what the guard thread pays per exchange (parse the request, mask the prompt,
 * every feature, MinHash/LSH, links, verdict), over a mix of 2,000 accounts of chat and templated harvesting;
 * {@code guardThreadPerExchange} adds parsing the JSON and masking the prompt.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GuardBenchmark {
    static final int BATCH = 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Guard guard;
    private final Clock clock = Clock.systemUTC();
    private byte[] body;
    private Detector detector;
    private Observation[] observations;
    private byte[][] lines;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        guard = Guard.unstarted(
                new GuardPolicy(true, BATCH, Map.of(), 6, Set.of(), Map.of()),
                GuardSettings.defaults(),
                GuardAudit.NONE);
        body = ("{\"model\":\"chat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"Think step by step: how do"
                        + " tariffs relate to orbital mechanics?\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        detector = new Detector(GuardSettings.defaults(), c -> {});
        SplittableRandom random = new SplittableRandom(42);
        observations = new Observation[20_000];
        lines = new byte[observations.length][];
        String[] topics = {"algebra", "orbits", "enzymes", "tariffs", "compilers", "glaciers", "poetry", "football"};
        Instant t = Instant.parse("2026-10-01T00:00:00Z");
        for (int i = 0; i < observations.length; i++) {
            boolean harvest = random.nextInt(4) == 0;
            int account = harvest ? random.nextInt(100) : 100 + random.nextInt(1900);
            ObjectNode line = JSON.createObjectNode()
                    .put("ts", t.plusMillis(250L * i).toString())
                    .put("account", "acct-" + account)
                    .put("org", "org-" + account % 300)
                    .put("model", "frontier-1")
                    .put("ip", "10.0." + account % 250 + ".1")
                    .put("prompt_tokens", 80 + random.nextInt(400))
                    .put("completion_tokens", harvest ? 2000 : 200 + random.nextInt(300))
                    .put("reasoning_tokens", harvest ? 1500 : 0);
            String text = harvest
                    ? "You are an expert problem solver. Solve the following problem. Think step by step and show"
                            + " your full reasoning. Problem " + i + ": relate " + topics[random.nextInt(8)] + " to "
                            + topics[random.nextInt(8)] + "."
                    : "hey, what's a good " + topics[random.nextInt(8)] + " fact for my " + topics[random.nextInt(8)]
                            + " class tomorrow? " + i;
            line.putArray("messages").addObject().put("role", "user").put("content", text);
            observations[i] = Trace.observation(line);
            lines[i] = JSON.writeValueAsBytes(line);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int requestPath() {
        int accepted = 0;
        for (int i = 0; i < BATCH; i++) {
            if (guard.check("acme", "cfg_0123456789abcdef") == null
                    && guard.offer(new Guard.Sample(
                            clock.instant(),
                            "cfg_0123456789abcdef",
                            "acme",
                            body,
                            25,
                            180,
                            0,
                            "203.0.113.7",
                            "card-fp-1",
                            null))) {
                accepted++;
            }
        }
        guard.discardQueued();
        return accepted;
    }

    /** The guard thread's whole share of one exchange: parse the body, build the observation, feed the detector. */
    @Benchmark
    public void guardThreadPerExchange() throws Exception {
        byte[] line = lines[next];
        next = (next + 1) % lines.length;
        detector.observe(Trace.observation(JSON.readTree(line)));
    }

    @Benchmark
    public void detectorObserve() {
        Observation o = observations[next];
        next = (next + 1) % observations.length;
        detector.observe(o);
    }
}
