package dev.tollgate.server;

import dev.tollgate.admit.CreditEntry;
import dev.tollgate.admit.CreditStore;
import dev.tollgate.admit.Credits;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.meter.UsageSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The store as the usage ledger's sink, writing credit consumption beside usage: on the usage-store thread, in the
 * same batches, off the event loops. Every record of a batch is settled against the credits (a no-op for a request
 * settled already on its event loop; the first settlement of a record replayed from the journal after a crash), then
 * the entries made since the last batch are written. The journal segment holding a record is deleted only after this
 * returns, so a crash in between replays the record, and its entries are made again or found again: never lost,
 * never doubled (the credits remember request ids they settled until the entries are written; after that the store
 * remembers them, and a record whose request has entries there is skipped).
 */
final class CreditingSink implements UsageSink {
    private final UsageSink usage;
    private final CreditStore store;
    private final Credits credits;

    CreditingSink(UsageSink usage, CreditStore store, Credits credits) {
        this.usage = usage;
        this.store = store;
        this.credits = credits;
    }

    @Override
    public void insertUsage(List<UsageRecord> batch) throws Exception {
        usage.insertUsage(batch);
        // Records not settled by this process recently: replayed from the journal, or a batch retried after the
        // process forgot them. Their entries, if any, are in the store; only the others are settled now.
        List<String> unknown = new ArrayList<>();
        for (UsageRecord r : batch) {
            if (credits.hasCredit(r.tenant()) && !credits.settled(r.tenant(), r.requestId())) {
                unknown.add(r.requestId());
            }
        }
        Set<String> stored = unknown.isEmpty() ? Set.of() : store.settledRequests(unknown);
        for (UsageRecord r : batch) {
            if (stored.contains(r.requestId())) {
                continue;
            }
            credits.settle(
                    r.tenant(),
                    r.requestId(),
                    r.model(),
                    r.usage().totalTokens(),
                    r.costMicros(),
                    r.currency(),
                    r.time());
        }
        List<CreditEntry> entries = credits.drainUnsaved();
        try {
            store.insertCreditEntries(entries);
        } catch (Exception e) {
            credits.unsave(entries);
            throw e;
        }
        credits.forgetSaved(System.nanoTime());
    }
}
