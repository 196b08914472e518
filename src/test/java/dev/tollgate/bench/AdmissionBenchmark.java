package dev.tollgate.bench;

import dev.tollgate.admit.Admission;
import dev.tollgate.admit.CreditEntry;
import dev.tollgate.admit.Credits;
import dev.tollgate.admit.Decision;
import dev.tollgate.admit.Grant;
import dev.tollgate.admit.RateLimit;
import dev.tollgate.admit.TenantLimits;
import dev.tollgate.admit.TopUp;
import java.time.Instant;
import java.util.List;
import java.util.Set;
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
 *
 * <p>The credit check of a prepaid tenant: a reservation walking a used-up promotional token grant, a paid money grant
 * for the model and the prepaid balance, then the settlement by the real use (entries made and queued), and the
 * store writer's periodic forgetting of settled ids, as in the gateway. Grants are huge, so every call is covered.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdmissionBenchmark {
    private Admission admission;
    private TenantLimits limits;
    private Credits credits;
    private long seq;
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @Setup
    public void setUp() {
        admission = new Admission();
        RateLimit huge = new RateLimit(1_000_000_000L, 1_000_000_000L, 1_000_000);
        limits = new TenantLimits(huge, huge);
        credits = new Credits();
        Instant t0 = NOW.minusSeconds(3600);
        credits.grant(new Grant(
                "promo", "acme", null, 1, Set.of(), Grant.Priority.PROMOTIONAL, NOW.plusSeconds(86_400), t0, null));
        credits.settle("acme", "warm", "chat-small", 1, 1, "USD", NOW);
        credits.grant(new Grant(
                "paid", "acme", "USD", Long.MAX_VALUE / 4, Set.of("chat-small"), Grant.Priority.PAID, null, t0, null));
        credits.topUp(new TopUp("t", "acme", "USD", Long.MAX_VALUE / 4, t0, null));
    }

    @Benchmark
    public List<CreditEntry> prepaidCreditReserveAndSettle() {
        String id = "req_" + seq++;
        credits.reserve("acme", id, "chat-small", 1_144, 13_000, "USD", NOW);
        List<CreditEntry> entries = credits.settle("acme", id, "chat-small", 180, 1_650, "USD", NOW);
        credits.drainUnsaved();
        credits.forgetSaved(System.nanoTime());
        return entries;
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
