package dev.tollgate.settle;

import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settles priced usage records from the store into the persisted ledger: every record becomes a charge and the shares
 * of the agreements that cover it, once.
 *
 * <p><b>Once.</b> A record is settled when an event with its request id is in the journal; the worker only picks
 * records without one, and the store refuses a second event for the same request id (a unique index), so a record
 * retried, replayed from the usage journal, or seen by two instances at once is charged once.
 *
 * <p><b>Restart.</b> The engine ({@link Settlement}) is rebuilt by replaying the journal's events in order; it is
 * deterministic, so the rebuilt ledger has the same transactions with the same ids as the stored one. Before each
 * batch the worker checks that the two agree in number: if the configured agreements no longer replay to the stored
 * ledger (terms edited in the file after the fact), it stops settling and says so rather than post under terms that
 * disagree with what was posted ({@link #problem}).
 *
 * <p><b>Several instances.</b> Each batch runs in one store transaction that first takes the settlement lock
 * ({@link SettlementJournal.Session#lead}); an instance that does not get it settles nothing this time, and every
 * instance catches up with what the leader appended before it settles or prints a statement.
 *
 * <p>Methods are synchronized: the engine is single-writer. A failed batch (store down, lost race) throws away the
 * in-memory state, which is rebuilt from the journal on the next call.
 */
public final class SettlementWorker {
    /** Records settled per store transaction. */
    public static final int BATCH = 500;

    private final SettlementJournal journal;
    private final SettlementTerms terms;
    private Settlement engine;
    private long seq;
    private long settled;
    private boolean verified;
    private volatile String problem;

    public SettlementWorker(SettlementJournal journal, SettlementTerms terms) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.terms = Objects.requireNonNull(terms, "terms");
        reset();
    }

    public SettlementTerms terms() {
        return terms;
    }

    /** Why the worker stopped settling, or null while it settles. */
    public String problem() {
        return problem;
    }

    /** Records this worker settled since it started. */
    public synchronized long settledCount() {
        return settled;
    }

    private void reset() {
        engine = new Settlement(new Ledger(terms.currency()), terms.agreements());
        seq = 0;
        verified = false;
    }

    /** Replays the events other instances (or an earlier process) appended since this worker last looked. */
    public synchronized void catchUp() throws Exception {
        try {
            for (SettlementJournal.Input in : journal.inputsAfter(seq)) {
                apply(in);
            }
        } catch (Exception | Error e) {
            reset();
            throw e;
        }
    }

    /**
     * Settles up to {@link #BATCH} unsettled records in one store transaction.
     *
     * @return how many records were settled; 0 when there were none, another instance holds the lock, or the worker
     *     stopped ({@link #problem})
     */
    public synchronized int settleOnce() throws Exception {
        if (problem != null) {
            return 0;
        }
        try {
            int n = journal.inSession(s -> {
                if (!s.lead()) {
                    return 0;
                }
                catchUp(s);
                List<Revenue> todo = s.unsettled(terms.currency(), BATCH);
                List<SettlementJournal.Settled> settled = new ArrayList<>(todo.size());
                long next = seq;
                for (Revenue r : todo) {
                    settled.add(new SettlementJournal.Settled(
                            new SettlementJournal.Input(++next, SettlementJournal.Input.Kind.POST, r), engine.post(r)));
                }
                if (!settled.isEmpty()) {
                    s.append(settled);
                }
                seq = next;
                return todo.size();
            });
            settled += n;
            return n;
        } catch (Exception | Error e) {
            reset();
            throw e;
        }
    }

    /** Settles until nothing is left (for tests and start-up). */
    public int settleAll() throws Exception {
        int total = 0;
        int n;
        while ((n = settleOnce()) > 0) {
            total += n;
        }
        return total;
    }

    /**
     * Replaces what a settled request earned by a corrected version: adjusting transactions, never edits.
     *
     * @return the transactions posted
     * @throws IllegalArgumentException if the request was never settled, or another instance holds the lock
     */
    public synchronized List<Transaction> correct(Revenue corrected) throws Exception {
        // The store keeps milliseconds; the replayed event must be the one posted.
        Revenue r = new Revenue(
                corrected.requestId(),
                corrected.time().truncatedTo(ChronoUnit.MILLIS),
                corrected.tenant(),
                corrected.model(),
                corrected.deployment(),
                corrected.provider(),
                corrected.region(),
                corrected.amount());
        try {
            return journal.inSession(s -> {
                if (!s.lead()) {
                    throw new IllegalStateException("another instance is settling; try again");
                }
                catchUp(s);
                List<Transaction> txs = engine.correct(r);
                if (!txs.isEmpty()) {
                    s.append(List.of(new SettlementJournal.Settled(
                            new SettlementJournal.Input(seq + 1, SettlementJournal.Input.Kind.CORRECT, r), txs)));
                    seq++;
                }
                return txs;
            });
        } catch (Exception | Error e) {
            reset();
            throw e;
        }
    }

    /** The statement of one party for one month, from the ledger as stored now. */
    public synchronized Statement statement(Party party, YearMonth period) throws Exception {
        catchUp();
        return Statement.of(engine.ledger(), party, period);
    }

    /** The invoice of one tenant for one month, from the ledger as stored now. */
    public synchronized Invoice invoice(String tenant, YearMonth period) throws Exception {
        catchUp();
        return Invoice.of(engine.ledger(), tenant, period);
    }

    /** A snapshot of the rebuilt ledger (after catching up), for audits and tests. */
    public synchronized List<Transaction> transactions() throws Exception {
        catchUp();
        return engine.ledger().transactions();
    }

    public SettlementJournal journal() {
        return journal;
    }

    private void apply(SettlementJournal.Input in) {
        if (in.seq() != seq + 1) {
            throw new IllegalStateException("settlement journal has a gap: event " + in.seq() + " after " + seq);
        }
        switch (in.kind()) {
            case POST -> engine.post(in.revenue());
            case CORRECT -> engine.correct(in.revenue());
        }
        seq = in.seq();
    }

    /**
     * Replays what others appended, then, when anything was replayed (always the first time), checks that the rebuilt
     * ledger is the stored one: same number of transactions, same sum of debits. Not after each own batch, because
     * what this worker appended is what its engine posted.
     */
    private void catchUp(SettlementJournal.Session s) throws Exception {
        List<SettlementJournal.Input> newer = s.inputsAfter(seq);
        for (SettlementJournal.Input in : newer) {
            apply(in);
        }
        if (!newer.isEmpty() || !verified) {
            check(s);
            verified = true;
        }
    }

    private void check(SettlementJournal.Session s) throws Exception {
        SettlementJournal.Tally stored = s.tally();
        long count = 0;
        long debits = 0;
        for (Transaction tx : engine.ledger().transactions()) {
            count++;
            for (Entry e : tx.entries()) {
                if (e.side() == Entry.Side.DEBIT) {
                    debits += e.amount().micros();
                }
            }
        }
        SettlementJournal.Tally rebuilt = new SettlementJournal.Tally(count, debits);
        if (!stored.equals(rebuilt)) {
            problem = "the stored ledger (" + stored + ") differs from what the configured agreements replay to ("
                    + rebuilt + "): agreements were changed after revenue was settled under them. Settlement is"
                    + " stopped; restore the terms, or express the change as an amendment effective after the last"
                    + " settled record";
            throw new IllegalStateException(problem);
        }
    }
}
