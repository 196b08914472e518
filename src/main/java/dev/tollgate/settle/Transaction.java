package dev.tollgate.settle;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A balanced set of entries, posted at once. The constructor refuses an empty, mixed-currency or unbalanced set, so
 * no unbalanced transaction can exist, let alone be appended.
 *
 * @param time when the revenue was earned (for an adjustment: the time of the share it adjusts), which decides the
 *     statement period
 * @param source the revenue event the transaction comes from, tracing it back to one usage record
 */
public record Transaction(String id, Instant time, Revenue source, Basis basis, List<Entry> entries) {

    /** The idempotency key of a charge or a share: at most one per request, agreement and kind. */
    public record Key(String requestId, String agreementId, String kind) {}

    public Transaction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(basis, "basis");
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a transaction needs entries");
        }
        Money sum = Money.zero(entries.get(0).amount().currency());
        for (Entry e : entries) {
            sum = sum.plus(e.signed()); // refuses mixed currencies
        }
        if (!sum.isZero()) {
            throw new IllegalArgumentException("unbalanced transaction (debits - credits = " + sum + "): " + entries);
        }
    }

    public String sourceRequestId() {
        return source.requestId();
    }

    /** Empty for adjustments and corrections: each one is new by definition, the engine decides when one is due. */
    public Optional<Key> key() {
        return switch (basis) {
            case Basis.Charge c -> Optional.of(new Key(source.requestId(), "", "charge"));
            case Basis.Share s ->
                Optional.of(new Key(source.requestId(), s.agreement().id(), "share"));
            case Basis.Adjustment a -> Optional.empty();
            case Basis.Correction c -> Optional.empty();
        };
    }

    /** Debits minus credits on {@code account} in this transaction. */
    public Money net(Account account) {
        Money sum = Money.zero(entries.get(0).amount().currency());
        for (Entry e : entries) {
            if (e.account().equals(account)) {
                sum = sum.plus(e.signed());
            }
        }
        return sum;
    }
}
