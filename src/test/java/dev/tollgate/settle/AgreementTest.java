package dev.tollgate.settle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgreementTest {
    static final Party OWNER = new Party("owner", Party.Role.MODEL_OWNER);
    static final Party CLOUD = new Party("cloud", Party.Role.CLOUD);
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    static final Instant END = Instant.parse("2031-01-01T00:00:00Z");

    static Agreement share() {
        return Agreement.of("a", OWNER, CLOUD, RevenueBase.ANY, new BigDecimal("0.20"), Optional.empty(), START, END);
    }

    @Test
    void theTermIsHalfOpen() {
        Agreement a = share();
        assertThat(a.termsAt(START.minusNanos(1))).isEmpty();
        assertThat(a.termsAt(START)).isPresent();
        assertThat(a.termsAt(END.minusNanos(1))).isPresent();
        assertThat(a.termsAt(END)).isEmpty();
    }

    @Test
    void amendmentsTakeEffectExactlyAtTheirInstant() {
        Instant d = Instant.parse("2026-03-15T00:00:00Z");
        Instant c = Instant.parse("2026-01-01T00:00:00Z");
        Agreement a = share().amended(Amendment.endsFrom(d))
                .amended(Amendment.capFrom(c, Money.of("USD", "100")))
                .amended(Amendment.rateFrom(c.plusSeconds(10), new BigDecimal("0.08")));

        assertThat(a.termsAt(c.minusNanos(1)).orElseThrow().cap()).isEmpty();
        assertThat(a.termsAt(c).orElseThrow().cap()).contains(Money.of("USD", "100"));
        assertThat(a.termsAt(c.plusSeconds(10).minusNanos(1)).orElseThrow().rate())
                .isEqualByComparingTo("0.20");
        assertThat(a.termsAt(c.plusSeconds(10)).orElseThrow().rate()).isEqualByComparingTo("0.08");
        assertThat(a.termsAt(d.minusNanos(1))).isPresent();
        assertThat(a.termsAt(d)).isEmpty();
        assertThat(a.capAsOf(d)).contains(Money.of("USD", "100"));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> Agreement.of(
                        "a", OWNER, CLOUD, RevenueBase.ANY, new BigDecimal("1.2"), Optional.empty(), START, END))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        Agreement.of("a", OWNER, OWNER, RevenueBase.ANY, BigDecimal.ONE, Optional.empty(), START, END))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        Agreement.of("a", OWNER, CLOUD, RevenueBase.ANY, BigDecimal.ONE, Optional.empty(), END, START))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptySetInTheBaseMeansAnyValue() {
        Revenue r = new Revenue("r1", START, "t", "m", "p/m", "p", "eu", Money.of("USD", "1"));
        assertThat(RevenueBase.ANY.matches(r)).isTrue();
        assertThat(RevenueBase.models("m", "n").matches(r)).isTrue();
        assertThat(RevenueBase.models("n").matches(r)).isFalse();
        assertThat(RevenueBase.models("m").withRegions("us").matches(r)).isFalse();
        assertThat(RevenueBase.ANY.withTenants("t").withProviders("p").matches(r))
                .isTrue();
    }
}
