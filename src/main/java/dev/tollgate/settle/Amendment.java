package dev.tollgate.settle;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A change to an agreement from an instant on. Revenue earned at or after {@code effectiveFrom} is settled under the
 * amended terms; revenue before it is not touched (an amendment never rewrites the past).
 *
 * @param rate the new share rate, if it changes
 * @param cap the new cap on the cumulative share over the agreement's whole life, if it changes
 * @param ends true when the share no longer applies from {@code effectiveFrom} on
 */
public record Amendment(Instant effectiveFrom, Optional<BigDecimal> rate, Optional<Money> cap, boolean ends) {

    public Amendment {
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(cap, "cap");
        rate.ifPresent(Agreement::checkRate);
        cap.ifPresent(Agreement::checkCap);
    }

    /** "The share no longer applies from {@code from}." */
    public static Amendment endsFrom(Instant from) {
        return new Amendment(from, Optional.empty(), Optional.empty(), true);
    }

    /** "A cap is introduced (or changed) from {@code from}." */
    public static Amendment capFrom(Instant from, Money cap) {
        return new Amendment(from, Optional.empty(), Optional.of(cap), false);
    }

    public static Amendment rateFrom(Instant from, BigDecimal rate) {
        return new Amendment(from, Optional.of(rate), Optional.empty(), false);
    }
}
