package dev.tollgate.admit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong();
    private final Admission admission = new Admission(now::get);

    private static TenantLimits tenant(RateLimit limit) {
        return new TenantLimits(limit, RateLimit.NONE);
    }

    private static TenantLimits eachKey(RateLimit limit) {
        return new TenantLimits(RateLimit.NONE, limit);
    }

    @Test
    void aTenantWithoutLimitsIsAlwaysAdmittedAndGetsNoQuotaHeaders() {
        Decision d = admission.admit("acme", "k1", TenantLimits.NONE, 1_000_000, true);

        assertThat(d).isInstanceOf(Decision.Admitted.class);
        assertThat(d.quota().limitsRequests()).isFalse();
        assertThat(d.quota().limitsTokens()).isFalse();
    }

    @Test
    void theRequestAfterTheMinutesAllowanceIsRefusedWithTheTimeUntilOneRequestIsBack() {
        TenantLimits limits = tenant(new RateLimit(3, 0, 0));
        for (int i = 0; i < 3; i++) {
            assertThat(admission.admit("acme", "k1", limits, 10, false)).isInstanceOf(Decision.Admitted.class);
        }

        Decision d = admission.admit("acme", "k2", limits, 10, false);

        assertThat(d).isInstanceOfSatisfying(Decision.Refused.class, r -> {
            assertThat(r.scope()).isEqualTo("tenant");
            assertThat(r.dimension()).isEqualTo("requests");
            // 3 per minute refill one every 20 s
            assertThat(r.retryAfterSeconds()).isEqualTo(20);
            assertThat(r.message()).contains("tenant 'acme'", "3 requests per minute", "20 s");
            assertThat(r.quota().remainingRequests()).isZero();
        });
        now.addAndGet(20 * SECOND);
        assertThat(admission.admit("acme", "k2", limits, 10, false)).isInstanceOf(Decision.Admitted.class);
    }

    @Test
    void eachKeyHasItsOwnAllowance() {
        TenantLimits limits = eachKey(new RateLimit(1, 0, 0));

        assertThat(admission.admit("acme", "k1", limits, 0, false)).isInstanceOf(Decision.Admitted.class);
        assertThat(admission.admit("acme", "k2", limits, 0, false)).isInstanceOf(Decision.Admitted.class);
        assertThat(admission.admit("acme", "k1", limits, 0, false))
                .isInstanceOfSatisfying(
                        Decision.Refused.class, r -> assertThat(r.scope()).isEqualTo("key"));
    }

    @Test
    void aRefusalByTheTenantGivesTheKeyBackWhatItTook() {
        TenantLimits limits = new TenantLimits(new RateLimit(1, 0, 0), new RateLimit(2, 100, 1));
        assertThat(admission.admit("acme", "other", limits, 0, false)).isInstanceOf(Decision.Admitted.class);

        // refused by the tenant: the key's request, tokens and stream slot must not be lost
        assertThat(admission.admit("acme", "k1", limits, 100, true)).isInstanceOf(Decision.Refused.class);
        now.addAndGet(60 * SECOND);

        assertThat(admission.admit("acme", "k1", limits, 100, true)).isInstanceOf(Decision.Admitted.class);
    }

    @Test
    void tokensAreTakenAsEstimatedAndCorrectedToTheRealCount() {
        TenantLimits limits = tenant(new RateLimit(0, 1000, 0));
        Decision.Admitted first = (Decision.Admitted) admission.admit("acme", "k1", limits, 400, false);
        assertThat(first.quota().remainingTokens()).isEqualTo(600);

        // the answer really cost 900 tokens (prompt + completion): 500 more are taken
        first.ticket().settle(900);
        first.ticket().settle(900); // settling twice changes nothing

        Decision second = admission.admit("acme", "k1", limits, 200, false);
        assertThat(second).isInstanceOfSatisfying(Decision.Refused.class, r -> {
            assertThat(r.dimension()).isEqualTo("tokens");
            assertThat(r.message()).contains("1000 tokens per minute");
        });
        Decision third = admission.admit("acme", "k1", limits, 100, false);
        assertThat(third.quota().remainingTokens()).isZero();
    }

    @Test
    void anOverestimateIsGivenBack() {
        TenantLimits limits = tenant(new RateLimit(0, 1000, 0));
        Decision.Admitted first = (Decision.Admitted) admission.admit("acme", "k1", limits, 800, false);

        first.ticket().settle(300);

        assertThat(admission.admit("acme", "k1", limits, 700, false)).isInstanceOf(Decision.Admitted.class);
    }

    @Test
    void aPromptLargerThanTheMinutesTokensIsRefusedWithAClearReason() {
        Decision d = admission.admit("acme", "k1", tenant(new RateLimit(0, 1000, 0)), 5000, false);

        assertThat(d)
                .isInstanceOfSatisfying(
                        Decision.Refused.class,
                        r -> assertThat(r.message()).contains("estimated at 5000 tokens", "1000 tokens per minute"));
    }

    @Test
    void concurrentStreamsAreCountedUntilReleasedAndWholeAnswersDoNotCount() {
        TenantLimits limits = tenant(new RateLimit(0, 0, 2));
        Decision.Admitted a = (Decision.Admitted) admission.admit("acme", "k1", limits, 0, true);
        Decision.Admitted b = (Decision.Admitted) admission.admit("acme", "k1", limits, 0, true);

        assertThat(admission.admit("acme", "k1", limits, 0, false)).isInstanceOf(Decision.Admitted.class);
        assertThat(admission.admit("acme", "k1", limits, 0, true)).isInstanceOfSatisfying(Decision.Refused.class, r -> {
            assertThat(r.dimension()).isEqualTo("streams");
            assertThat(r.message()).contains("2 concurrent streams");
        });

        a.ticket().release();
        a.ticket().release(); // released twice frees one slot, not two
        assertThat(admission.admit("acme", "k1", limits, 0, true)).isInstanceOf(Decision.Admitted.class);
        assertThat(admission.admit("acme", "k1", limits, 0, true)).isInstanceOf(Decision.Refused.class);
        b.ticket().release();
    }

    @Test
    void changedLimitsTakeEffectAtOnceAndOpenStreamsStillCount() {
        Decision.Admitted open =
                (Decision.Admitted) admission.admit("acme", "k1", tenant(new RateLimit(1, 0, 1)), 0, true);

        TenantLimits raised = tenant(new RateLimit(10, 0, 1));
        assertThat(admission.admit("acme", "k1", raised, 0, false)).isInstanceOf(Decision.Admitted.class);
        assertThat(admission.admit("acme", "k1", raised, 0, true)).isInstanceOf(Decision.Refused.class);
        open.ticket().release();
        assertThat(admission.admit("acme", "k1", raised, 0, true)).isInstanceOf(Decision.Admitted.class);
    }

    @Test
    void theQuotaReportsTheTightestScope() {
        TenantLimits limits = new TenantLimits(new RateLimit(100, 0, 0), new RateLimit(5, 0, 0));

        Decision d = admission.admit("acme", "k1", limits, 0, false);

        assertThat(d.quota().limitRequests()).isEqualTo(5);
        assertThat(d.quota().remainingRequests()).isEqualTo(4);
        assertThat(d.quota().resetRequestsNanos()).isEqualTo(12 * SECOND);
    }
}
