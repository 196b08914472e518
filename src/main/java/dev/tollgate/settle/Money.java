package dev.tollgate.settle;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount of one currency at the ledger scale: six decimals (micro-units), whatever the currency's usual minor
 * unit, because a share of a single request is often far below a cent.
 *
 * <p>The constructor refuses an amount that does not fit the scale instead of rounding it silently: the only place
 * that rounds is {@link #times}, HALF_EVEN at the ledger scale, and the engine calls it once per entry (the share of
 * one request), never on sums. Sums of entries are therefore exact, which is what lets a statement reconcile with
 * the ledger to the last micro-unit. Arithmetic between two currencies is refused.
 */
public record Money(Currency currency, BigDecimal amount) implements Comparable<Money> {
    /** Decimals kept in the ledger. */
    public static final int SCALE = 6;

    /** The one rounding rule, applied when a rate multiplies an amount. */
    public static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;

    public Money {
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(amount, "amount");
        try {
            amount = amount.setScale(SCALE, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "more than " + SCALE + " decimals: " + amount.toPlainString() + " (round with Money.rounded)", e);
        }
    }

    public static Money of(String currencyCode, String amount) {
        return new Money(Currency.getInstance(currencyCode), new BigDecimal(amount));
    }

    public static Money zero(Currency currency) {
        return new Money(currency, BigDecimal.ZERO);
    }

    /** The one explicit way to bring an arbitrary amount to the ledger scale. */
    public static Money rounded(Currency currency, BigDecimal amount) {
        return new Money(currency, amount.setScale(SCALE, ROUNDING));
    }

    /** An amount given in micro-units (millionths), as the store keeps it. */
    public static Money ofMicros(Currency currency, long micros) {
        return new Money(currency, BigDecimal.valueOf(micros, SCALE));
    }

    /** This amount in micro-units; exact, because the scale is fixed. */
    public long micros() {
        return amount.movePointRight(SCALE).longValueExact();
    }

    public Money plus(Money other) {
        return new Money(currency, amount.add(same(other).amount));
    }

    public Money minus(Money other) {
        return new Money(currency, amount.subtract(same(other).amount));
    }

    public Money negate() {
        return new Money(currency, amount.negate());
    }

    public Money abs() {
        return amount.signum() < 0 ? negate() : this;
    }

    /** This amount times a factor (a share rate), rounded HALF_EVEN to the ledger scale: the only rounding step. */
    public Money times(BigDecimal factor) {
        return rounded(currency, amount.multiply(factor));
    }

    public Money min(Money other) {
        return compareTo(other) <= 0 ? this : other;
    }

    public Money max(Money other) {
        return compareTo(other) >= 0 ? this : other;
    }

    public int signum() {
        return amount.signum();
    }

    public boolean isZero() {
        return amount.signum() == 0;
    }

    @Override
    public int compareTo(Money other) {
        return amount.compareTo(same(other).amount);
    }

    private Money same(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("mixed currencies: " + currency + " and " + other.currency);
        }
        return other;
    }

    @Override
    public String toString() {
        return currency.getCurrencyCode() + " " + amount.toPlainString();
    }
}
