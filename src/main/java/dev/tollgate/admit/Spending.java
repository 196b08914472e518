package dev.tollgate.admit;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Budgets per key and tenant with reservations. Before a request is sent its worst expected cost is reserved
 * against every budget of its key and tenant in the request's currency; a hard budget refuses the request when
 * {@code spent + reserved + this reservation} would cross the limit. When the usage record is made, the reservation
 * is replaced by the real cost. Each counter is one {@link AtomicLong} updated by compare-and-set, so concurrent
 * reservations never overbook a hard budget together; the only overspend is real costs above their reservations
 * (docs/billing.md, "Budgets": the bound).
 *
 * <p>Periods are calendar days and months in UTC; a counter whose period is over is replaced on next use. Counters
 * live in memory: they start at zero when the process starts.
 */
public final class Spending {
    private final Clock clock;
    private final Consumer<String> alerts;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    /** @param alerts told once per counter and period when a soft budget is crossed (a log line, a metric) */
    public Spending(Clock clock, Consumer<String> alerts) {
        this.clock = clock;
        this.alerts = alerts;
    }

    /** The outcome of {@link #reserve}. */
    public sealed interface Outcome permits Reserved, Exhausted {}

    /** Reserved; {@link Reservation#settle} must follow with the real cost. */
    public record Reserved(Reservation reservation) implements Outcome {}

    /**
     * Refused by a hard budget.
     *
     * @param retryAfterSeconds until the budget's period ends (0 for a total budget: it never comes back by itself)
     */
    public record Exhausted(String message, long retryAfterSeconds) implements Outcome {}

    /**
     * Reserves {@code micros} of {@code currency} against the key's and tenant's budgets in that currency.
     *
     * @param currency the currency the request is priced in; null (an unpriced model) reserves nothing
     */
    public Outcome reserve(String tenant, String keyId, TenantBudgets budgets, long micros, String currency) {
        return reserve(tenant, null, keyId, budgets, List.of(), micros, currency);
    }

    /**
     * The same with the budgets of the key's project too ({@code project} null or {@code projectBudgets} empty: none).
     * Project counters are named {@code tenant/project}.
     */
    public Outcome reserve(
            String tenant,
            String project,
            String keyId,
            TenantBudgets budgets,
            List<Budget> projectBudgets,
            long micros,
            String currency) {
        boolean projectBudgeted = project != null && !projectBudgets.isEmpty();
        if ((budgets.isNone() && !projectBudgeted) || currency == null) {
            return new Reserved(Reservation.NONE);
        }
        long amount = Math.max(0, micros);
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        List<Counter> taken = new ArrayList<>(3);
        Refusal refusal = take("key", keyId, budgets.eachKey(), amount, currency, today, taken);
        if (refusal == null && projectBudgeted) {
            refusal = take("project", tenant + "/" + project, projectBudgets, amount, currency, today, taken);
        }
        if (refusal == null) {
            refusal = take("tenant", tenant, budgets.tenant(), amount, currency, today, taken);
        }
        if (refusal != null) {
            for (Counter c : taken) {
                c.committed.addAndGet(-amount);
            }
            return new Exhausted(refusal.message(), secondsLeft(refusal.period(), today));
        }
        return new Reserved(new Reservation(List.copyOf(taken), amount));
    }

    private record Refusal(String message, Budget.Period period) {}

    private Refusal take(
            String kind,
            String name,
            List<Budget> budgets,
            long amount,
            String currency,
            LocalDate today,
            List<Counter> taken) {
        for (Budget b : budgets) {
            if (!b.currency().equals(currency)) {
                continue;
            }
            Counter c = counter(kind, name, b, today);
            if (b.hard()) {
                long before;
                do {
                    before = c.committed.get();
                    if (before + amount > b.limitMicros()) {
                        return new Refusal(
                                "The " + period(b.period()) + " budget of " + kind + " '" + name + "' ("
                                        + decimal(b.limitMicros()) + " " + currency + ") is used up: "
                                        + decimal(Math.max(0, before)) + " spent or reserved, this request needs up to "
                                        + decimal(amount) + ". "
                                        + (b.period() == Budget.Period.TOTAL
                                                ? "Ask for a higher budget."
                                                : "It renews at the start of the next " + unit(b.period()) + " (UTC)."),
                                b.period());
                    }
                } while (!c.committed.compareAndSet(before, before + amount));
            } else if (c.committed.addAndGet(amount) > b.limitMicros() && c.alerted.compareAndSet(false, true)) {
                alerts.accept("soft " + period(b.period()) + " budget of " + kind + " '" + name + "' ("
                        + decimal(b.limitMicros()) + " " + currency + ") crossed");
            }
            taken.add(c);
        }
        return null;
    }

    private Counter counter(String kind, String name, Budget b, LocalDate today) {
        long periodIndex = switch (b.period()) {
            case DAILY -> today.toEpochDay();
            case MONTHLY -> today.getYear() * 12L + today.getMonthValue();
            case TOTAL -> 0;
        };
        String id = kind + '\u0000' + name + '\u0000' + b.period() + '\u0000' + b.currency() + '\u0000' + b.hard();
        Counter c = counters.get(id);
        if (c != null && c.period == periodIndex) {
            return c;
        }
        return counters.compute(
                id, (k, old) -> old != null && old.period == periodIndex ? old : new Counter(periodIndex));
    }

    private long secondsLeft(Budget.Period period, LocalDate today) {
        LocalDate next = switch (period) {
            case DAILY -> today.plusDays(1);
            case MONTHLY -> today.withDayOfMonth(1).plusMonths(1);
            case TOTAL -> null;
        };
        if (next == null) {
            return 0;
        }
        long end = next.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        return Math.max(1, end - clock.instant().getEpochSecond());
    }

    private static String period(Budget.Period p) {
        return switch (p) {
            case DAILY -> "daily";
            case MONTHLY -> "monthly";
            case TOTAL -> "total";
        };
    }

    private static String unit(Budget.Period p) {
        return p == Budget.Period.DAILY ? "day" : "month";
    }

    static String decimal(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    /** Spent plus reserved of one budget's counter in the current period (for tests and the admin API). */
    public long committed(String kind, String name, Budget budget) {
        return counter(kind, name, budget, LocalDate.now(clock.withZone(ZoneOffset.UTC)))
                .committed
                .get();
    }

    static final class Counter {
        final long period;
        final AtomicLong committed = new AtomicLong();
        final AtomicBoolean alerted = new AtomicBoolean();

        Counter(long period) {
            this.period = period;
        }
    }

    /** A request's reservation: settled once with its real cost. */
    public static final class Reservation {
        static final Reservation NONE = new Reservation(List.of(), 0);
        private final List<Counter> counters;
        private final long reserved;
        private final AtomicBoolean settled = new AtomicBoolean();

        Reservation(List<Counter> counters, long reserved) {
            this.counters = counters;
            this.reserved = reserved;
        }

        public long reserved() {
            return reserved;
        }

        /** Replaces the reservation by the real cost (the usage record's). At most once. */
        public void settle(long actualMicros) {
            if (counters.isEmpty() || !settled.compareAndSet(false, true)) {
                return;
            }
            long delta = actualMicros - reserved;
            for (Counter c : counters) {
                c.committed.addAndGet(delta);
            }
        }
    }
}
