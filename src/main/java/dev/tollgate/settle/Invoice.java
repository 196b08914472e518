package dev.tollgate.settle;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one tenant is charged for one calendar month (UTC), read from the ledger alone: the movements of the tenant's
 * receivable account, per model and region. The total is therefore exactly the tenant receivable's movement over the
 * month, to the last micro-unit.
 *
 * <p>A charge counts in the month its request was made. A {@link Basis.Correction} counts in the month of the
 * corrected record, on the corrected model and region, with its net effect on this tenant's receivable (the
 * corrected amount minus the original, or minus the original alone when the correction moved the request to
 * another tenant).
 *
 * @param requests charges in the period (corrections are not counted as requests)
 */
public record Invoice(
        String tenant, YearMonth period, Currency currency, List<Line> lines, long requests, Money total) {

    /** Charges of one model in one region. */
    public record Line(String model, String region, long requests, Money amount, Money corrections) {}

    public Invoice {
        lines = List.copyOf(lines);
    }

    public static Invoice of(Ledger ledger, String tenant, YearMonth period) {
        Currency currency = ledger.currency();
        Instant from = period.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = period.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Account receivable = Account.tenantReceivable(tenant);
        Money zero = Money.zero(currency);
        Map<String, Line> lines = new TreeMap<>();
        Money total = zero;
        long requests = 0;
        for (Transaction tx : ledger.transactions()) {
            if (tx.time().isBefore(from) || !tx.time().isBefore(to)) {
                continue;
            }
            boolean charge = tx.basis() instanceof Basis.Charge;
            if (!charge && !(tx.basis() instanceof Basis.Correction)) {
                continue;
            }
            Money net = tx.net(receivable);
            boolean touches = tx.entries().stream().anyMatch(e -> e.account().equals(receivable));
            if (!touches) {
                continue;
            }
            String model = tx.source().model();
            String region = tx.source().region();
            Line more = new Line(model, region, charge ? 1 : 0, charge ? net : zero, charge ? zero : net);
            lines.merge(
                    model + "\u0000" + region,
                    more,
                    (a, b) -> new Line(
                            a.model(),
                            a.region(),
                            a.requests() + b.requests(),
                            a.amount().plus(b.amount()),
                            a.corrections().plus(b.corrections())));
            total = total.plus(net);
            requests += charge ? 1 : 0;
        }
        List<Line> sorted = lines.values().stream()
                .sorted(Comparator.comparing(Line::model).thenComparing(Line::region))
                .toList();
        return new Invoice(tenant, period, currency, sorted, requests, total);
    }
}
