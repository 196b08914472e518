package dev.tollgate.meter;

/** Reads the usage ledger back. */
public interface UsageHistory {
    /** Totals over the usage records (all statuses) in the query; tokens count every record, delivered or not. */
    UsageSummary summarize(UsageQuery query) throws Exception;

    /** Totals per tenant and model for records in [from, to), ordered by tenant then model. */
    java.util.List<UsageTotals> totals(java.time.Instant from, java.time.Instant to) throws Exception;
}
