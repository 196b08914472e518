package dev.tollgate.bench;

import dev.tollgate.wire.Usage;
import dev.tollgate.wire.openai.OpenAiRequest;
import dev.tollgate.wire.openai.UsageReader;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The answer side of the fast path: pick the usage out of a ~1 KB chat.completion. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UsageReaderBenchmark {
    private byte[] body;
    private UsageReader reader;

    @Setup
    public void setUp() {
        body = BenchBodies.chatCompletion();
        reader = new UsageReader(OpenAiRequest.parserFactory(128));
        Usage usage = reader.fromResponse(body).orElseThrow();
        if (usage.promptTokens() != 412 || usage.completionTokens() != 96) {
            throw new IllegalStateException("unexpected usage " + usage);
        }
    }

    @Benchmark
    public Optional<Usage> fromResponse() {
        return reader.fromResponse(body);
    }
}
