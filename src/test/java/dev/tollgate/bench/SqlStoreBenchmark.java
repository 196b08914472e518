package dev.tollgate.bench;

import dev.tollgate.meter.UsageRecord;
import dev.tollgate.store.SqlStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the usage-store thread spends per record: one batched transaction of 400 inserts into the embedded SQLite
 * store (the size of a 20 ms batch at 20k requests/s). Reported per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SqlStoreBenchmark {
    private static final int BATCH = 400;
    private Path dir;
    private SqlStore store;
    private long next;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("store-bench-");
        store = SqlStore.open(dir.resolve("bench.db").toString());
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void insertBatch() throws Exception {
        List<UsageRecord> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(BenchBodies.usageRecord("req_" + next++));
        }
        store.insertUsage(batch);
    }
}
