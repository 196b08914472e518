package dev.tollgate.bench;

import dev.tollgate.admit.Admission;
import dev.tollgate.admit.Decision;
import dev.tollgate.admit.RateLimit;
import dev.tollgate.admit.TenantLimits;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The rate-limit check of one request as the admission step makes it: key and tenant scopes, all three dimensions,
 * then the correction by the real token count and the release of the stream slot. The limits are far above what the
 * benchmark can use, so every call is admitted (the refusal path does less work). Against a tenant without limits,
 * which is what most requests of an unlimited set-up cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdmissionBenchmark {
    private Admission admission;
    private TenantLimits limits;

    @Setup
    public void setUp() {
        admission = new Admission();
        RateLimit huge = new RateLimit(1_000_000_000L, 1_000_000_000L, 1_000_000);
        limits = new TenantLimits(huge, huge);
    }

    @Benchmark
    public Decision unlimitedTenant() {
        return admission.admit("acme", "key_1", TenantLimits.NONE, 120, true);
    }

    @Benchmark
    public Decision keyAndTenantLimitsAdmitSettleRelease() {
        Decision d = admission.admit("acme", "key_1", limits, 120, true);
        if (d instanceof Decision.Admitted a) {
            a.ticket().settle(180);
            a.ticket().release();
        }
        return d;
    }
}
