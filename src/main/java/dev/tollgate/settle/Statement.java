package dev.tollgate.settle;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one party is owed and owes for one calendar month (UTC), read from the ledger alone, per agreement and per
 * model and region. Every figure is a sum of ledger entries, so the totals reconcile with the party's receivable and
 * payable accounts to the last micro-unit.
 *
 * <p>A transaction belongs to the month its revenue was earned, adjustments included (an adjustment carries the time
 * of the share it adjusts). A statement printed for a month before a late event in that month arrived therefore
 * differs from one printed after; the difference is exactly the adjustments and late shares, which a stored statement
 * can name by transaction id.
 *
 * @param receivable what the party's counterparties owe it for the period (agreements where it is the payee)
 * @param payable what the party owes for the period (agreements where it is the payer)
 */
public record Statement(
        Party party,
        YearMonth period,
        Currency currency,
        List<AgreementSummary> agreements,
        Money receivable,
        Money payable) {

    public enum Direction {
        RECEIVES,
        PAYS
    }

    /** Revenue base and share of one model in one region under one agreement. */
    public record Line(String model, String region, Money revenueBase, Money share) {}

    /**
     * One agreement's part of the statement.
     *
     * @param share the net share of the period, adjustments included
     * @param adjustments the part of {@code share} that came from adjustments
     * @param cap the cap in force at the end of the period, if any
     * @param capConsumed the cumulative share since the agreement started, up to the end of the period
     */
    public record AgreementSummary(
            Agreement agreement,
            Direction direction,
            Party counterparty,
            Money revenueBase,
            Money share,
            Money adjustments,
            Optional<Money> cap,
            Money capConsumed,
            Optional<Money> capRemaining,
            List<Line> lines) {}

    public Statement {
        agreements = List.copyOf(agreements);
    }

    /** What the party is owed minus what it owes. */
    public Money net() {
        return receivable.minus(payable);
    }

    public static Statement of(Ledger ledger, Party party, YearMonth period) {
        Currency currency = ledger.currency();
        Instant from = period.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = period.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<String, Tally> tallies = new TreeMap<>();
        Map<String, Agreement> latest = new HashMap<>();
        for (Transaction tx : ledger.transactions()) {
            Optional<Agreement> under = tx.basis().underAgreement();
            if (under.isEmpty()) {
                continue;
            }
            Agreement a = under.get();
            // The journal is in posting order, so the last version seen is the latest amendment, even when it was
            // posted with a later transaction than this period's.
            latest.put(a.id(), a);
            if (!tx.time().isBefore(to)) {
                continue;
            }
            if (!a.payee().name().equals(party.name()) && !a.payer().name().equals(party.name())) {
                continue;
            }
            // The payee's receivable moves by exactly the share; the payer's payable mirrors it.
            Money share = tx.net(Account.receivable(a.payee()));
            Tally t = tallies.computeIfAbsent(a.id(), id -> new Tally(a, currency));
            t.consumed = t.consumed.plus(share);
            if (!tx.time().isBefore(from)) {
                t.active = true;
                Money base = switch (tx.basis()) {
                    case Basis.Share sh -> tx.source().amount();
                    case Basis.Adjustment adj -> adj.baseDelta();
                    default -> Money.zero(currency);
                };
                t.lines.merge(
                        new Where(tx.source().model(), tx.source().region()),
                        new Line(tx.source().model(), tx.source().region(), base, share),
                        (l, more) -> new Line(
                                l.model(),
                                l.region(),
                                l.revenueBase().plus(more.revenueBase()),
                                l.share().plus(more.share())));
                if (tx.basis() instanceof Basis.Adjustment) {
                    t.adjustments = t.adjustments.plus(share);
                }
            }
        }
        List<AgreementSummary> summaries = new ArrayList<>();
        Money receivable = zero(currency);
        Money payable = zero(currency);
        Instant lastInstant = to.minusNanos(1);
        for (Tally t : tallies.values()) {
            if (!t.active) {
                continue;
            }
            Agreement a = latest.get(t.agreement.id());
            boolean receives = a.payee().name().equals(party.name());
            List<Line> lines = List.copyOf(t.lines.values());
            Money base = lines.stream().map(Line::revenueBase).reduce(zero(currency), Money::plus);
            Money share = lines.stream().map(Line::share).reduce(zero(currency), Money::plus);
            Optional<Money> cap = a.capAsOf(lastInstant);
            Money consumed = t.consumed;
            Optional<Money> remaining = cap.map(c -> c.minus(consumed).max(zero(currency)));
            summaries.add(new AgreementSummary(
                    a,
                    receives ? Direction.RECEIVES : Direction.PAYS,
                    receives ? a.payer() : a.payee(),
                    base,
                    share,
                    t.adjustments,
                    cap,
                    consumed,
                    remaining,
                    lines));
            if (receives) {
                receivable = receivable.plus(share);
            } else {
                payable = payable.plus(share);
            }
        }
        return new Statement(party, period, currency, summaries, receivable, payable);
    }

    private static Money zero(Currency currency) {
        return Money.zero(currency);
    }

    /** The statement as Tollgate prints it: Markdown tables, amounts at the ledger scale, nothing rounded away. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("Statement of ")
                .append(party.name())
                .append(" (")
                .append(label(party.role().name()))
                .append(") for ")
                .append(period)
                .append(" (UTC), in ")
                .append(currency.getCurrencyCode())
                .append("\n\n");
        out.append("| agreement | direction | counterparty | model | region | revenue base | share |\n");
        out.append("|---|---|---|---|---|--:|--:|\n");
        for (AgreementSummary s : agreements) {
            for (Line l : s.lines()) {
                row(
                        out,
                        s.agreement().id(),
                        label(s.direction().name()),
                        s.counterparty().name(),
                        l.model(),
                        l.region(),
                        amount(l.revenueBase()),
                        amount(l.share()));
            }
        }
        out.append(
                "\n| agreement | revenue base | share | of which adjustments | cap | share to date | cap remaining |\n");
        out.append("|---|--:|--:|--:|--:|--:|--:|\n");
        for (AgreementSummary s : agreements) {
            row(
                    out,
                    s.agreement().id(),
                    amount(s.revenueBase()),
                    amount(s.share()),
                    amount(s.adjustments()),
                    s.cap().map(Statement::amount).orElse("none"),
                    amount(s.capConsumed()),
                    s.capRemaining().map(Statement::amount).orElse("none"));
        }
        out.append("\n| receivable | payable | net |\n");
        out.append("|--:|--:|--:|\n");
        row(out, amount(receivable), amount(payable), amount(net()));
        return out.toString();
    }

    private static void row(StringBuilder out, String... cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    private static String amount(Money m) {
        return m.amount().toPlainString();
    }

    private static String label(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private record Where(String model, String region) {
        static final Comparator<Where> ORDER =
                Comparator.comparing(Where::model).thenComparing(Where::region);
    }

    private static final class Tally {
        final Agreement agreement;
        final Map<Where, Line> lines = new TreeMap<>(Where.ORDER);
        Money consumed;
        Money adjustments;
        boolean active;

        Tally(Agreement agreement, Currency currency) {
            this.agreement = agreement;
            this.consumed = Money.zero(currency);
            this.adjustments = Money.zero(currency);
        }
    }
}
