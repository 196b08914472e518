package dev.tollgate.settle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns revenue events into ledger transactions: a charge to the tenant, and for every agreement that covers the
 * event, the share the payer owes the payee.
 *
 * <p><b>Order.</b> A cap makes the share of an event depend on the events before it, so each agreement settles its
 * events in the order (time, request id); the request id breaks ties so that the order, and with it the request that
 * crosses the cap, does not depend on arrival order.
 *
 * <p><b>Late events.</b> An event that arrives after a later one under the same agreement is not rejected: the
 * agreement's shares are recomputed in order, the late event gets the share it would have had in order, and every
 * share that changes (an event that used to fit under the cap and now does not) gets an {@link Basis.Adjustment}
 * transaction for the difference, naming the original share. Nothing is edited. After any arrival order the net
 * share of every request equals the share of processing in order. Without a cap shares do not depend on order, so
 * late events then never cause adjustments.
 *
 * <p><b>Replays.</b> A request id already posted posts nothing; the same id with different content is refused,
 * because silently keeping either version would be wrong: a changed record goes through {@link #correct}.
 *
 * <p><b>Corrections.</b> {@link #correct} replaces what a request earned. The charge is reversed and re-posted in one
 * {@link Basis.Correction}; under each agreement the old version's share and base are taken out by an adjustment
 * against the old version (its model, region and time), the new version is put in if covered, and the agreement is
 * recomputed as for a late event. The ledger ends as if the corrected record had been posted from the start, plus
 * the adjusting transactions that show how it got there.
 *
 * <p>State is in memory and grows with the number of covered events; a late event, a correction or an amendment
 * recomputes one agreement, in time linear in its events. The settlement is the only writer of its ledger and starts
 * on an empty one: rebuilding the state from a persisted journal belongs to the store adapter, not built yet.
 */
public final class Settlement {
    private final Ledger ledger;
    private final Map<String, Revenue> seen = new HashMap<>();
    private final Map<String, Book> books = new LinkedHashMap<>();

    public Settlement(Ledger ledger, List<Agreement> agreements) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        if (!ledger.transactions().isEmpty()) {
            // The engine's per-agreement state (events in order, shares so far) lives in memory and is not rebuilt
            // from a journal yet; starting on a non-empty ledger would silently restart every cap from zero.
            throw new IllegalArgumentException("a settlement starts on an empty ledger");
        }
        for (Agreement a : agreements) {
            if (books.put(a.id(), new Book(a)) != null) {
                throw new IllegalArgumentException("duplicate agreement id " + a.id());
            }
            a.cap().ifPresent(this::sameCurrency);
            a.amendments().forEach(m -> m.cap().ifPresent(this::sameCurrency));
        }
    }

    public Ledger ledger() {
        return ledger;
    }

    /**
     * Posts the charge and the shares of one revenue event.
     *
     * @return the transactions posted, in order; empty for a replay
     * @throws IllegalArgumentException if the request id was posted before with different content
     */
    public synchronized List<Transaction> post(Revenue revenue) {
        sameCurrency(revenue.amount());
        Revenue before = seen.get(revenue.requestId());
        if (before != null) {
            if (!before.equals(revenue)) {
                throw new IllegalArgumentException("request " + revenue.requestId()
                        + " was already posted with different content; corrections go through an adjustment");
            }
            return List.of();
        }
        seen.put(revenue.requestId(), revenue);
        List<Transaction> posted = new ArrayList<>();
        ledger.append(
                        revenue.time(),
                        revenue,
                        new Basis.Charge(),
                        List.of(
                                Entry.debit(Account.tenantReceivable(revenue.tenant()), revenue.amount()),
                                Entry.credit(Account.revenue(revenue.tenant()), revenue.amount())))
                .ifPresent(posted::add);
        for (Book book : books.values()) {
            if (book.agreement.covers(revenue)) {
                book.settle(revenue, posted);
            }
        }
        return posted;
    }

    /**
     * Replaces a posted revenue event by a corrected version (same request id) with adjusting transactions.
     *
     * @return the transactions posted; empty if nothing changed
     * @throws IllegalArgumentException if the request was never posted
     */
    public synchronized List<Transaction> correct(Revenue corrected) {
        sameCurrency(corrected.amount());
        Revenue before = seen.get(corrected.requestId());
        if (before == null) {
            throw new IllegalArgumentException("request " + corrected.requestId() + " was never posted; post it");
        }
        if (before.equals(corrected)) {
            return List.of();
        }
        seen.put(corrected.requestId(), corrected);
        List<Transaction> posted = new ArrayList<>();
        Transaction charge = ledger.find(new Transaction.Key(corrected.requestId(), "", "charge"))
                .orElseThrow();
        ledger.append(
                        corrected.time(),
                        corrected,
                        new Basis.Correction(charge.id()),
                        List.of(
                                Entry.debit(Account.revenue(before.tenant()), before.amount()),
                                Entry.credit(Account.tenantReceivable(before.tenant()), before.amount()),
                                Entry.debit(Account.tenantReceivable(corrected.tenant()), corrected.amount()),
                                Entry.credit(Account.revenue(corrected.tenant()), corrected.amount())))
                .ifPresent(posted::add);
        for (Book book : books.values()) {
            book.replace(before, corrected, posted);
        }
        return posted;
    }

    /**
     * Amends an agreement after revenue was posted under it, for a change signed later than it takes effect ("the
     * reverse share no longer applies from D", agreed after D). Shares of revenue no longer covered are taken out by
     * adjustments, and the rest is recomputed under the amended terms; nothing before the amendment's instant moves.
     *
     * @return the adjusting transactions posted
     */
    public synchronized List<Transaction> amend(String agreementId, Amendment amendment) {
        Book book = books.get(agreementId);
        if (book == null) {
            throw new IllegalArgumentException("no agreement " + agreementId);
        }
        amendment.cap().ifPresent(this::sameCurrency);
        List<Transaction> posted = new ArrayList<>();
        book.amend(amendment, posted);
        return posted;
    }

    /** The agreements as amended so far. */
    public synchronized List<Agreement> agreements() {
        return books.values().stream().map(b -> b.agreement).toList();
    }

    private void sameCurrency(Money money) {
        if (!money.currency().equals(ledger.currency())) {
            throw new IllegalArgumentException("this settlement keeps " + ledger.currency() + ", not " + money);
        }
    }

    private record Order(Instant time, String requestId) implements Comparable<Order> {
        private static final Comparator<Order> ORDER =
                Comparator.comparing(Order::time).thenComparing(Order::requestId);

        static Order of(Revenue r) {
            return new Order(r.time(), r.requestId());
        }

        @Override
        public int compareTo(Order o) {
            return ORDER.compare(this, o);
        }
    }

    /** One agreement's events and what has been posted for each. */
    private final class Book {
        Agreement agreement;
        final TreeMap<Order, Revenue> events = new TreeMap<>();
        final Map<String, Money> posted = new HashMap<>();
        final Map<String, String> shareTransaction = new HashMap<>();
        /** Which version of each request is in the revenue base, as far as the ledger says. */
        final Map<String, Revenue> inBase = new HashMap<>();

        Money cumulative;

        Book(Agreement agreement) {
            this.agreement = agreement;
            this.cumulative = Money.zero(ledger.currency());
        }

        void settle(Revenue revenue, List<Transaction> out) {
            Order order = Order.of(revenue);
            boolean inOrder = events.isEmpty() || events.lastKey().compareTo(order) < 0;
            events.put(order, revenue);
            if (inOrder) {
                Money share = shareOf(revenue, cumulative);
                postShare(revenue, share, out);
                cumulative = cumulative.plus(share);
                return;
            }
            recompute(out);
        }

        /** Takes {@code before} out of the base (if it was in) and puts {@code after} in (if covered). */
        void replace(Revenue before, Revenue after, List<Transaction> out) {
            boolean had = events.remove(Order.of(before)) != null;
            boolean covers = agreement.covers(after);
            if (!had && !covers) {
                return;
            }
            if (had) {
                // Against the old version, so the old model, region and month lose exactly what they had.
                Money share = posted.get(before.requestId());
                postAdjustment(before, share.negate(), before.amount().negate(), out);
                inBase.remove(before.requestId());
            }
            if (covers) {
                events.put(Order.of(after), after);
            }
            recompute(out);
        }

        void amend(Amendment amendment, List<Transaction> out) {
            agreement = agreement.amended(amendment);
            // An amendment can only take revenue out of the base (a share that ends), never bring any in.
            for (Revenue r : List.copyOf(events.values())) {
                if (!agreement.covers(r)) {
                    events.remove(Order.of(r));
                    postAdjustment(
                            r, posted.get(r.requestId()).negate(), r.amount().negate(), out);
                    inBase.remove(r.requestId());
                }
            }
            recompute(out);
        }

        /** Replays the agreement in order and posts what differs from what was posted. */
        void recompute(List<Transaction> out) {
            Money zero = Money.zero(ledger.currency());
            Money running = zero;
            for (Revenue r : events.values()) {
                Money due = shareOf(r, running);
                running = running.plus(due);
                if (!shareTransaction.containsKey(r.requestId())) {
                    postShare(r, due, out);
                } else if (!inBase.containsKey(r.requestId())) {
                    // Back in the base after a correction took it out: the share key is used, so this is an adjustment.
                    postAdjustment(r, due.minus(posted.get(r.requestId())), r.amount(), out);
                    inBase.put(r.requestId(), r);
                } else if (!posted.get(r.requestId()).equals(due)) {
                    postAdjustment(r, due.minus(posted.get(r.requestId())), zero, out);
                }
            }
            cumulative = running;
        }

        /** Rate times amount, rounded once, and no more than what is left under the cap. */
        Money shareOf(Revenue r, Money cumulativeBefore) {
            Agreement.Terms terms = agreement.termsAt(r.time()).orElseThrow();
            Money share = r.amount().times(terms.rate());
            if (terms.cap().isPresent()) {
                Money left = terms.cap().get().minus(cumulativeBefore).max(Money.zero(ledger.currency()));
                share = share.min(left);
            }
            return share;
        }

        void postShare(Revenue r, Money share, List<Transaction> out) {
            // A zero share (cap exhausted) is still posted: it records that the revenue was in the base.
            ledger.append(r.time(), r, new Basis.Share(agreement), owed(share)).ifPresent(tx -> {
                out.add(tx);
                posted.put(r.requestId(), share);
                shareTransaction.put(r.requestId(), tx.id());
                inBase.put(r.requestId(), r);
            });
        }

        void postAdjustment(Revenue r, Money delta, Money baseDelta, List<Transaction> out) {
            Basis basis = new Basis.Adjustment(agreement, shareTransaction.get(r.requestId()), baseDelta);
            ledger.append(r.time(), r, basis, owed(delta)).ifPresent(tx -> {
                out.add(tx);
                posted.merge(r.requestId(), delta, Money::plus);
            });
        }

        /** The payee is owed {@code amount} by the payer; a negative amount reverses that. */
        List<Entry> owed(Money amount) {
            Account receivable = Account.receivable(agreement.payee());
            Account payable = Account.payable(agreement.payer());
            return amount.signum() >= 0
                    ? List.of(Entry.debit(receivable, amount), Entry.credit(payable, amount))
                    : List.of(Entry.debit(payable, amount.abs()), Entry.credit(receivable, amount.abs()));
        }
    }
}
