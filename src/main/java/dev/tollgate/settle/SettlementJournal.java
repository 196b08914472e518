package dev.tollgate.settle;

import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * Where the settlement keeps what it did, for good: the revenue events it settled, in the order it settled them, and
 * the transactions they caused. Implemented by the store; the domain only sees this port.
 *
 * <p>The events are the input, the transactions the output: the engine is deterministic, so replaying the events in
 * order rebuilds the same transactions with the same ids, which is how a process restarts (and how an instance on a
 * shared store follows another that settled).
 */
public interface SettlementJournal {

    /** One settled event: a revenue posted for the first time, or a corrected version of one posted before. */
    record Input(long seq, Kind kind, Revenue revenue) {
        public enum Kind {
            POST,
            CORRECT
        }
    }

    /** One event and the transactions settling it posted (its charge and shares, and adjustments it caused). */
    record Settled(Input input, List<Transaction> transactions) {
        public Settled {
            transactions = List.copyOf(transactions);
        }
    }

    /** How many transactions and how much was debited in them, in micro-units. */
    record Tally(long transactions, long debitMicros) {}

    /** Work done in one store transaction: everything it appends is committed together, or nothing is. */
    interface Session {
        /**
         * Takes the settlement lock until the end of this session; false when another instance holds it. At most one
         * instance settles at a time.
         */
        boolean lead() throws Exception;

        /** The events after {@code seq}, in order. */
        List<Input> inputsAfter(long seq) throws Exception;

        /**
         * Priced usage records in {@code currency} that no event has settled yet, oldest first (time, request id).
         */
        List<Revenue> unsettled(Currency currency, int limit) throws Exception;

        /** How many transactions the journal holds and the sum of their debits: a fingerprint to compare. */
        Tally tally() throws Exception;

        /**
         * Appends events and the transactions each caused. Fails (and the session rolls back) when an event's request
         * id was already posted or its sequence number taken: the store refuses a double charge by itself.
         */
        void append(List<Settled> settled) throws Exception;
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Session session) throws Exception;
    }

    /** Runs {@code work} in one store transaction, committed when it returns and rolled back when it throws. */
    <T> T inSession(Work<T> work) throws Exception;

    /** The events after {@code seq}, in order, without the lock (for an instance catching up). */
    List<Input> inputsAfter(long seq) throws Exception;

    /** Debits minus credits on {@code account} over transactions whose time is in [from, to), straight from the store. */
    Money movement(Account account, Currency currency, Instant from, Instant to) throws Exception;

    /** The cumulative share posted under an agreement with time before {@code to}, from the store's cap view. */
    Money capConsumed(String agreementId, Currency currency, Instant to) throws Exception;
}
