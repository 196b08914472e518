package dev.tollgate.settle;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One direction of a revenue-sharing contract: {@code payer} owes {@code payee} {@code rate} of the revenue in
 * {@code base} earned during the term {@code [start, end)}, up to {@code cap} in total over the agreement's life.
 * A two-way deal is two agreements in opposite directions, so each direction can end or be capped on its own.
 *
 * <p>The cap counts every share posted under the agreement since its start, including shares posted before an
 * amendment introduced the cap: "capped at a total amount" is a total, not a total from the amendment on.
 */
public record Agreement(
        String id,
        Party payer,
        Party payee,
        RevenueBase base,
        BigDecimal rate,
        Optional<Money> cap,
        Instant start,
        Instant end,
        List<Amendment> amendments) {

    /** The terms in force at one instant. */
    public record Terms(BigDecimal rate, Optional<Money> cap) {}

    public Agreement {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("agreement id is required");
        }
        Objects.requireNonNull(payer, "payer");
        Objects.requireNonNull(payee, "payee");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (payer.name().equals(payee.name())) {
            throw new IllegalArgumentException(id + ": payer and payee are the same party");
        }
        checkRate(rate);
        cap.ifPresent(Agreement::checkCap);
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException(id + ": the term must start before it ends");
        }
        // Sorted once so terms are read by walking forward; the sort is stable, so two amendments at the same instant
        // apply in the order they were given.
        amendments = amendments.stream()
                .sorted(Comparator.comparing(Amendment::effectiveFrom))
                .toList();
    }

    public static Agreement of(
            String id,
            Party payer,
            Party payee,
            RevenueBase base,
            BigDecimal rate,
            Optional<Money> cap,
            Instant start,
            Instant end) {
        return new Agreement(id, payer, payee, base, rate, cap, start, end, List.of());
    }

    public Agreement amended(Amendment amendment) {
        return new Agreement(
                id,
                payer,
                payee,
                base,
                rate,
                cap,
                start,
                end,
                Stream.concat(amendments.stream(), Stream.of(amendment)).toList());
    }

    /** The terms at {@code time}, or empty if the agreement does not apply then (outside the term, or ended). */
    public Optional<Terms> termsAt(Instant time) {
        if (time.isBefore(start) || !time.isBefore(end)) {
            return Optional.empty();
        }
        BigDecimal r = rate;
        Optional<Money> c = cap;
        for (Amendment a : amendments) {
            if (a.effectiveFrom().isAfter(time)) {
                break;
            }
            if (a.ends()) {
                return Optional.empty();
            }
            r = a.rate().orElse(r);
            c = a.cap().isPresent() ? a.cap() : c;
        }
        return Optional.of(new Terms(r, c));
    }

    /** The cap as amended up to {@code time}, whether or not the agreement still applies then (for statements). */
    public Optional<Money> capAsOf(Instant time) {
        Optional<Money> c = cap;
        for (Amendment a : amendments) {
            if (a.effectiveFrom().isAfter(time)) {
                break;
            }
            c = a.cap().isPresent() ? a.cap() : c;
        }
        return c;
    }

    /** True when {@code revenue} is in the base and earned while the agreement applies. */
    public boolean covers(Revenue revenue) {
        return base.matches(revenue) && termsAt(revenue.time()).isPresent();
    }

    static void checkRate(BigDecimal rate) {
        Objects.requireNonNull(rate, "rate");
        if (rate.signum() < 0 || rate.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("a share rate is a fraction in [0, 1]: " + rate);
        }
    }

    static void checkCap(Money cap) {
        if (cap.signum() < 0) {
            throw new IllegalArgumentException("a cap cannot be negative: " + cap);
        }
    }
}
