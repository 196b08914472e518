package dev.tollgate.bench;

import com.fasterxml.jackson.core.JsonFactory;
import dev.tollgate.wire.openai.Endpoint;
import dev.tollgate.wire.openai.InvalidRequestException;
import dev.tollgate.wire.openai.OpenAiRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The request side of the fast path: validate and scan a ~2 KB chat body, then splice the upstream model in. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OpenAiRequestBenchmark {
    @Param({"false", "true"})
    public boolean stream;

    private byte[] body;
    private JsonFactory json;
    private OpenAiRequest inspected;

    @Setup
    public void setUp() throws InvalidRequestException {
        body = BenchBodies.chatRequest(stream);
        json = OpenAiRequest.parserFactory(128);
        inspected = OpenAiRequest.inspect(Endpoint.CHAT_COMPLETIONS, body, json);
        if (inspected.stream() != stream || forUpstream().length <= body.length) {
            throw new IllegalStateException("benchmark body not what it should be");
        }
    }

    @Benchmark
    public OpenAiRequest inspect() throws InvalidRequestException {
        return OpenAiRequest.inspect(Endpoint.CHAT_COMPLETIONS, body, json);
    }

    @Benchmark
    public byte[] forUpstream() {
        return inspected.forUpstream("gpt-4o-2024-08-06");
    }

    @Benchmark
    public byte[] inspectAndForUpstream() throws InvalidRequestException {
        return OpenAiRequest.inspect(Endpoint.CHAT_COMPLETIONS, body, json).forUpstream("gpt-4o-2024-08-06");
    }
}
