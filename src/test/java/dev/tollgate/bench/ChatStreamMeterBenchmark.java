package dev.tollgate.bench;

import com.fasterxml.jackson.core.JsonFactory;
import dev.tollgate.wire.openai.ChatStreamMeter;
import dev.tollgate.wire.openai.OpenAiRequest;
import dev.tollgate.wire.openai.SseEventSplitter;
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
 * Metering a whole 40-event stream as Exchange does it: a fresh splitter and meter, the bytes fed in network-sized
 * reads, every event inspected. Scores are per event (chunk), as {@link OperationsPerInvocation} divides by 40.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChatStreamMeterBenchmark {
    static final int EVENTS = 40;

    /** Size of each read fed to the splitter: one event per read (~260 B) is typical, 16 KB is a batched read. */
    @Param({"event", "16384"})
    public String read;

    private byte[] stream;
    private int[] cuts;
    private JsonFactory json;

    @Setup
    public void setUp() {
        stream = BenchBodies.chatStream(EVENTS);
        json = OpenAiRequest.parserFactory(128);
        if (read.equals("event")) {
            cuts = new int[EVENTS + 1];
            int n = 0;
            for (int i = 1; i < stream.length; i++) {
                if (stream[i] == '\n' && stream[i - 1] == '\n') {
                    cuts[++n] = i + 1;
                }
            }
            if (n != EVENTS) {
                throw new IllegalStateException("expected " + EVENTS + " events, found " + n);
            }
        } else {
            int size = Integer.parseInt(read);
            cuts = new int[(stream.length + size - 1) / size + 1];
            for (int i = 1; i < cuts.length; i++) {
                cuts[i] = Math.min(stream.length, i * size);
            }
        }
        ChatStreamMeter check = meterStream(null);
        if (!check.sawDone() || check.usage() == null || check.usage().completionTokens() != EVENTS - 4) {
            throw new IllegalStateException("stream not metered as expected");
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public ChatStreamMeter meterStream(Blackhole bh) {
        ChatStreamMeter meter = new ChatStreamMeter(json, false);
        SseEventSplitter splitter = new SseEventSplitter(16 << 20);
        for (int i = 1; i < cuts.length; i++) {
            splitter.feed(stream, cuts[i - 1], cuts[i] - cuts[i - 1], event -> {
                ChatStreamMeter.Verdict v = meter.inspect(event);
                if (bh != null) {
                    bh.consume(v);
                }
            });
        }
        return meter;
    }
}
