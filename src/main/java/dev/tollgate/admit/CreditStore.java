package dev.tollgate.admit;

import java.util.List;

/**
 * Persistence of grants, top-ups, consumption entries and budget settings; implemented by the store adapters. Every
 * insert is idempotent by its key (grant id, top-up id, request id + source), so a retried write changes nothing.
 */
public interface CreditStore {
    void insertGrant(Grant grant) throws Exception;

    void insertTopUp(TopUp topUp) throws Exception;

    void insertCreditEntries(List<CreditEntry> entries) throws Exception;

    List<Grant> grants() throws Exception;

    List<TopUp> topUps() throws Exception;

    List<CreditEntry> creditEntries() throws Exception;

    /** Which of these request ids have credit entries (were settled before). */
    java.util.Set<String> settledRequests(java.util.Collection<String> requestIds) throws Exception;

    void insertBudgetSetting(BudgetSetting setting) throws Exception;

    /** Every setting, oldest first (the latest of a scope is in effect). */
    List<BudgetSetting> budgetSettings() throws Exception;

    /** Reads everything back into a fresh {@link Credits}: grants, top-ups, then the entries that used them. */
    static Credits load(CreditStore store) throws Exception {
        Credits credits = new Credits();
        store.grants().forEach(credits::grant);
        store.topUps().forEach(credits::topUp);
        store.creditEntries().forEach(credits::restore);
        return credits;
    }
}
