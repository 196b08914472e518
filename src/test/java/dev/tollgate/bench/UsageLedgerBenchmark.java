package dev.tollgate.bench;

import dev.tollgate.meter.LedgerUnavailableException;
import dev.tollgate.meter.UsageLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What metering costs the event loop per request: encoding a usage record and writing it to the journal (one
 * {@code write(2)} into the page cache). The store side is a sink that drops records, so only the journal is timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UsageLedgerBenchmark {
    private final AtomicLong ids = new AtomicLong();
    private Path dir;
    private UsageLedger ledger;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("ledger-bench-");
        ledger = UsageLedger.open(
                dir, batch -> {}, new UsageLedger.Options(64L << 20, 10_000_000, Duration.ofMillis(5)));
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        ledger.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public void append() throws LedgerUnavailableException {
        ledger.append(BenchBodies.usageRecord("req_" + ids.incrementAndGet()));
    }
}
