package dev.tollgate.settle;

import java.util.Objects;

/** One line of a transaction: a non-negative amount on the debit or the credit side of one account. */
public record Entry(Account account, Side side, Money amount) {
    public enum Side {
        DEBIT,
        CREDIT
    }

    public Entry {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(amount, "amount");
        if (amount.signum() < 0) {
            // The side says the direction; a negative amount would make "balanced" mean two things.
            throw new IllegalArgumentException("entry amounts are non-negative; use the other side: " + amount);
        }
    }

    public static Entry debit(Account account, Money amount) {
        return new Entry(account, Side.DEBIT, amount);
    }

    public static Entry credit(Account account, Money amount) {
        return new Entry(account, Side.CREDIT, amount);
    }

    /** Debit positive, credit negative. */
    public Money signed() {
        return side == Side.DEBIT ? amount : amount.negate();
    }
}
