package dev.tollgate.settle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The append-only double-entry journal of one currency. There is no update and no delete: a correction is a new
 * transaction that names the one it corrects. Appending a charge or share whose key is already in the journal posts
 * nothing, so a replayed revenue event cannot be charged or shared twice.
 */
public final class Ledger {
    private final Currency currency;
    private final List<Transaction> journal = new ArrayList<>();
    private final Map<Transaction.Key, Transaction> byKey = new HashMap<>();

    public Ledger(Currency currency) {
        this.currency = Objects.requireNonNull(currency, "currency");
    }

    public Currency currency() {
        return currency;
    }

    /**
     * Appends a transaction, or returns empty if one with the same key is already in the journal.
     *
     * @throws IllegalArgumentException if the entries are unbalanced or not in the ledger's currency
     */
    public synchronized Optional<Transaction> append(Instant time, Revenue source, Basis basis, List<Entry> entries) {
        Transaction tx = new Transaction("tx-" + (journal.size() + 1), time, source, basis, entries);
        if (!tx.entries().get(0).amount().currency().equals(currency)) {
            throw new IllegalArgumentException("this ledger keeps " + currency + ", not " + tx.entries());
        }
        Optional<Transaction.Key> key = tx.key();
        if (key.isPresent() && byKey.containsKey(key.get())) {
            return Optional.empty();
        }
        journal.add(tx);
        key.ifPresent(k -> byKey.put(k, tx));
        return Optional.of(tx);
    }

    /** A snapshot of the journal in posting order. */
    public synchronized List<Transaction> transactions() {
        return List.copyOf(journal);
    }

    public synchronized Optional<Transaction> find(Transaction.Key key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** Debits minus credits on {@code account} over the whole journal. */
    public synchronized Money balance(Account account) {
        Money sum = Money.zero(currency);
        for (Transaction tx : journal) {
            sum = sum.plus(tx.net(account));
        }
        return sum;
    }
}
