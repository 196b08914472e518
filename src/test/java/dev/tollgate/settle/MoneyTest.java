package dev.tollgate.settle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void keepsSixDecimalsAndRefusesToRoundSilently() {
        assertThat(Money.of("USD", "1.5").amount()).isEqualTo(new BigDecimal("1.500000"));
        assertThatThrownBy(() -> Money.of("USD", "0.0000001"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than 6 decimals");
    }

    @Test
    void roundsARateTimesAnAmountHalfEvenOnce() {
        // 0.0000125 and 0.0000135 are both exact halves at the sixth decimal: HALF_EVEN goes to the even neighbour.
        assertThat(Money.of("USD", "0.000025").times(new BigDecimal("0.5"))).isEqualTo(Money.of("USD", "0.000012"));
        assertThat(Money.of("USD", "0.000027").times(new BigDecimal("0.5"))).isEqualTo(Money.of("USD", "0.000014"));
        assertThat(Money.of("USD", "10").times(new BigDecimal("0.333333333"))).isEqualTo(Money.of("USD", "3.333333"));
    }

    @Test
    void refusesMixedCurrencies() {
        assertThatThrownBy(() -> Money.of("USD", "1").plus(Money.of("EUR", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mixed currencies");
        assertThatThrownBy(() -> Money.of("USD", "1").compareTo(Money.of("EUR", "1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalAmountsAreEqualWhateverTheScaleTheyWereWrittenWith() {
        assertThat(Money.of("USD", "2")).isEqualTo(Money.of("USD", "2.000000"));
        assertThat(Money.of("USD", "2")
                        .plus(Money.of("USD", "0.25"))
                        .minus(Money.of("USD", "2.25"))
                        .isZero())
                .isTrue();
    }
}
