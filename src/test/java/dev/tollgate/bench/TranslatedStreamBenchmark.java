package dev.tollgate.bench;

import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.Message;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.responses.ResponsesDialect;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Translating a whole streamed answer as DialectExchange does it: a fresh upstream decoder and caller encoder, the
 * provider's bytes fed one event per read, every canonical event encoded for the caller. The answer is the same
 * 40-chunk OpenAI stream ({@link BenchBodies#chatStream}) in each provider's shape (the Anthropic one is that stream
 * re-encoded as Anthropic events). Scores are per upstream OpenAI chunk (÷ 40), so pairs compare per unit of content.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TranslatedStreamBenchmark {
    static final int CHUNKS = 40;

    @Param({"openai-to-anthropic", "anthropic-to-openai", "openai-to-responses"})
    public String pair;

    private UpstreamDialect upstream;
    private IngressDialect ingress;
    private ChatRequest request;
    private byte[][] reads;

    @Setup
    public void setUp() throws UpstreamFormatException {
        request = new ChatRequest(
                "m",
                null,
                List.of(Message.user("When is the Musée d'Orsay open?")),
                List.of(),
                null,
                null,
                null,
                List.of(),
                null,
                null,
                null,
                512,
                null,
                null,
                null,
                null,
                true,
                true,
                Map.of());
        byte[] openAi = BenchBodies.chatStream(CHUNKS);
        byte[] stream = openAi;
        switch (pair) {
            case "openai-to-anthropic" -> {
                upstream = OpenAiDialect.INSTANCE;
                ingress = AnthropicDialect.INSTANCE;
            }
            case "openai-to-responses" -> {
                upstream = OpenAiDialect.INSTANCE;
                ingress = ResponsesDialect.INSTANCE;
            }
            case "anthropic-to-openai" -> {
                upstream = AnthropicDialect.INSTANCE;
                ingress = OpenAiDialect.INSTANCE;
                stream = translate(OpenAiDialect.INSTANCE, AnthropicDialect.INSTANCE, split(openAi));
            }
            default -> throw new IllegalArgumentException(pair);
        }
        reads = split(stream);
        if (translate(upstream, ingress, reads).length == 0) {
            throw new IllegalStateException("nothing translated");
        }
    }

    /** One read per server-sent event, as a provider's events usually arrive. */
    private static byte[][] split(byte[] stream) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 1; i < stream.length; i++) {
            if (stream[i] == '\n' && stream[i - 1] == '\n') {
                out.add(java.util.Arrays.copyOfRange(stream, from, i + 1));
                from = i + 1;
            }
        }
        return out.toArray(byte[][]::new);
    }

    private byte[] translate(UpstreamDialect from, IngressDialect to, byte[][] events) throws UpstreamFormatException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        IngressDialect.StreamEncoder encoder = to.streamEncoder(request, "req_bench");
        UpstreamDialect.StreamDecoder decoder = from.streamDecoder();
        for (byte[] read : events) {
            decoder.feed(read, 0, read.length, e -> out.writeBytes(encoder.encode(e)));
        }
        decoder.end(e -> out.writeBytes(encoder.encode(e)));
        out.writeBytes(encoder.end());
        return out.toByteArray();
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public void translateStream(Blackhole bh) throws UpstreamFormatException {
        IngressDialect.StreamEncoder encoder = ingress.streamEncoder(request, "req_bench");
        UpstreamDialect.StreamDecoder decoder = upstream.streamDecoder();
        for (byte[] read : reads) {
            decoder.feed(read, 0, read.length, (StreamEvent e) -> bh.consume(encoder.encode(e)));
        }
        decoder.end(e -> bh.consume(encoder.encode(e)));
        bh.consume(encoder.end());
    }
}
