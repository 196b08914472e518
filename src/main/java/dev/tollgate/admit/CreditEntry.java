package dev.tollgate.admit;

import java.time.Instant;

/**
 * What one request took from one source of credit: written once, never changed. A request has at most one entry per
 * source, so a replayed usage record finds its entries and consumes nothing again.
 *
 * @param source a grant id, {@code balance:<currency>} for the prepaid balance, or {@link #UNCOVERED} for the part of
 *     the cost no credit paid (a real cost above what was reserved, or a postpaid tenant's usage beyond its grants)
 * @param currency the unit of {@code amount}: ISO 4217 (micro-units) or null (tokens)
 */
public record CreditEntry(String requestId, String tenant, String source, String currency, long amount, Instant time) {
    public static final String UNCOVERED = "uncovered";

    public static String balance(String currency) {
        return "balance:" + currency;
    }
}
