package dev.tollgate.bench;

import dev.tollgate.meter.UsageRecord;
import dev.tollgate.observe.GatewayMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the metrics cost the usage-store thread per stored record (counters, the latency histogram, the attempts
 * summary and four token counters for one label combination). The event loops pay nothing for metrics.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GatewayMetricsBenchmark {
    private static final int BATCH = 100;
    private GatewayMetrics metrics;
    private List<UsageRecord> batch;

    @Setup
    public void setUp() {
        metrics = new GatewayMetrics(new GatewayMetrics.Sources(() -> 0L, () -> 0L, List::of));
        batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            batch.add(BenchBodies.usageRecord("req_" + i));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void recordStored() {
        metrics.recordStored(batch);
    }
}
