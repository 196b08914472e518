package dev.tollgate.admit;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Credit grants and prepaid balances of every tenant, in memory: what a request may still use is known without I/O.
 *
 * <p><b>Order of consumption.</b> Promotional grants, then paid grants, then the prepaid balance; within one priority
 * the grant that expires first (a grant without expiry last), then the older grant. A grant pays only for its models
 * and only for requests made before it expires. Token grants count the request's tokens (prompt + completion); money
 * grants and the balance pay its cost in their currency. When token credit pays for part of a request's tokens, the
 * rest of its cost is priced pro rata ({@code cost × tokens left / tokens}), rounded up to the micro-unit.
 *
 * <p><b>Reservations.</b> For a prepaid tenant, {@link #reserve} walks the sources in that order and holds what the
 * request's worst expected use needs; a request that the sources cannot cover is refused before it is sent. {@link
 * #settle} releases the hold and consumes the real use, in the same order. A source never goes below zero: a real cost
 * above what is left is recorded as {@link CreditEntry#UNCOVERED}. Postpaid tenants are never refused; their grants
 * are consumed when usage is settled.
 *
 * <p><b>Replays.</b> Each request is settled at most once ({@link #settle} remembers request ids, including those of
 * entries loaded from the store), so a usage record replayed after a crash consumes nothing twice.
 *
 * <p>One lock per tenant account: reservations of one tenant are serialised (no overbooking), different tenants
 * never wait for each other.
 */
public final class Credits {
    private static final Comparator<Pocket> ORDER = Comparator.comparingInt((Pocket p) -> p.rank)
            .thenComparing(p -> p.expiresAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(p -> p.createdAt)
            .thenComparing(p -> p.id);

    private final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<CreditEntry> unsaved = new ConcurrentLinkedQueue<>();

    /** The outcome of {@link #reserve}. */
    public sealed interface Coverage permits Covered, Short {}

    /** Covered; the hold is released by {@link #settle} or {@link #release} with the same request id. */
    public record Covered() implements Coverage {}

    /** The tenant's credit does not cover the request. */
    public record Short(String message) implements Coverage {}

    private static final Covered COVERED = new Covered();

    /** A grant's or balance's state, for the admin API. */
    public record Source(
            String id,
            String kind,
            String currency,
            long amount,
            long used,
            long held,
            java.util.Set<String> models,
            Grant.Priority priority,
            Instant expiresAt,
            Instant createdAt,
            String reason) {
        public long remaining() {
            return amount - used;
        }
    }

    /** Grants a tenant credit; returns false (and changes nothing) when a grant with this id exists. */
    public boolean grant(Grant grant) {
        Account a = account(grant.tenant());
        synchronized (a) {
            if (a.byId.containsKey(grant.id())) {
                return false;
            }
            a.add(new Pocket(grant));
            return true;
        }
    }

    /** Adds to a tenant's prepaid balance; returns false when a top-up with this id was applied already. */
    public boolean topUp(TopUp topUp) {
        Account a = account(topUp.tenant());
        synchronized (a) {
            if (!a.topUps.add(topUp.id())) {
                return false;
            }
            String id = CreditEntry.balance(topUp.currency());
            Pocket balance = a.byId.get(id);
            if (balance == null) {
                balance = new Pocket(id, topUp.currency(), topUp.at());
                a.add(balance);
            }
            balance.amount = Math.addExact(balance.amount, topUp.micros());
            return true;
        }
    }

    /** Takes back entries read from the store at start-up: their amounts are used and their requests settled. */
    public void restore(CreditEntry entry) {
        Account a = account(entry.tenant());
        synchronized (a) {
            a.settled.add(entry.requestId());
            Pocket p = a.byId.get(entry.source());
            if (p != null) {
                p.used += entry.amount();
            }
        }
    }

    /**
     * Holds what a request of a prepaid tenant needs, or says why its credit does not cover it.
     *
     * @param tokens the request's worst expected tokens (prompt estimate + the most it may generate)
     * @param micros its worst expected cost in {@code currency}; 0 with a null currency for a model without a price
     * @param at when the request is made (grants expired by then pay for nothing)
     */
    public Coverage reserve(
            String tenant, String requestId, String model, long tokens, long micros, String currency, Instant at) {
        Account a = accounts.get(tenant);
        if (a == null) {
            return micros <= 0 ? COVERED : new Short(shortMessage(tenant, model, micros, currency, 0, tokens, 0));
        }
        synchronized (a) {
            Walk w = a.walk(model, Math.max(0, tokens), Math.max(0, micros), currency, at);
            if (w.moneyLeft > 0) {
                return new Short(shortMessage(
                        tenant, model, micros, currency, micros - w.moneyLeft, tokens, tokens - w.tokensLeft));
            }
            if (w.count > 0) {
                for (int i = 0; i < w.count; i++) {
                    w.pockets[i].held += w.amounts[i];
                }
                a.holds.put(requestId, w);
            }
            return COVERED;
        }
    }

    /** The request ended without a usage record: its hold is given back. */
    public void release(String tenant, String requestId) {
        Account a = accounts.get(tenant);
        if (a == null) {
            return;
        }
        synchronized (a) {
            Walk hold = a.holds.remove(requestId);
            if (hold != null) {
                hold.release();
            }
        }
    }

    /**
     * Consumes a request's real use from the tenant's credit in order and returns the entries it made (none when the
     * tenant has no credit or the request was settled before). The entries are also queued for {@link #drainUnsaved}.
     *
     * @param at the request's time: grants that expired by then pay for nothing
     */
    public List<CreditEntry> settle(
            String tenant, String requestId, String model, long tokens, long micros, String currency, Instant at) {
        Account a = accounts.get(tenant);
        if (a == null) {
            return List.of();
        }
        List<CreditEntry> entries;
        synchronized (a) {
            if (!a.settled.add(requestId)) {
                return List.of();
            }
            Walk hold = a.holds.remove(requestId);
            if (hold != null) {
                hold.release();
            }
            Walk w = a.walk(model, Math.max(0, tokens), Math.max(0, micros), currency, at);
            entries = new ArrayList<>(w.count + 1);
            for (int i = 0; i < w.count; i++) {
                Pocket p = w.pockets[i];
                p.used += w.amounts[i];
                entries.add(new CreditEntry(requestId, tenant, p.id, p.currency, w.amounts[i], at));
            }
            if (w.moneyLeft > 0 && (!entries.isEmpty() || hold != null)) {
                entries.add(new CreditEntry(requestId, tenant, CreditEntry.UNCOVERED, currency, w.moneyLeft, at));
            }
        }
        unsaved.addAll(entries);
        return entries;
    }

    /** Whether this request was settled (in this process or before a restart). */
    public boolean settled(String tenant, String requestId) {
        Account a = accounts.get(tenant);
        if (a == null) {
            return false;
        }
        synchronized (a) {
            return a.settled.contains(requestId);
        }
    }

    /** Entries made since the last call, oldest first, for the store. */
    public List<CreditEntry> drainUnsaved() {
        List<CreditEntry> out = new ArrayList<>();
        CreditEntry e;
        while ((e = unsaved.poll()) != null) {
            out.add(e);
        }
        return out;
    }

    /** Puts entries the store could not take back at the head of the queue's order (they are retried next time). */
    public void unsave(List<CreditEntry> entries) {
        unsaved.addAll(entries);
    }

    /** Every grant and balance of a tenant in the order they are consumed, as of {@code at}. */
    public List<Source> sources(String tenant) {
        Account a = accounts.get(tenant);
        if (a == null) {
            return List.of();
        }
        synchronized (a) {
            List<Source> out = new ArrayList<>(a.pockets.size());
            for (Pocket p : a.pockets) {
                Grant g = p.grant;
                out.add(new Source(
                        p.id,
                        g == null ? "balance" : "grant",
                        p.currency,
                        p.amount,
                        p.used,
                        p.held,
                        g == null ? Set.of() : g.models(),
                        g == null ? null : g.priority(),
                        p.expiresAt,
                        p.createdAt,
                        g == null ? null : g.reason()));
            }
            return out;
        }
    }

    private Account account(String tenant) {
        return accounts.computeIfAbsent(tenant, t -> new Account());
    }

    private static String shortMessage(
            String tenant, String model, long micros, String currency, long coveredMicros, long tokens, long covered) {
        return "Tenant '" + tenant + "' is out of credit: this request to '" + model + "' may cost up to "
                + Spending.decimal(micros) + " " + currency + " (" + tokens + " tokens) and the prepaid balance and"
                + " credits that apply to it cover " + Spending.decimal(coveredMicros) + " " + currency
                + (covered > 0 ? " (" + covered + " tokens)" : "")
                + ". Top up the balance, ask for a credit grant, or lower max_tokens.";
    }

    /** ceil(a × b / c) without overflow; c > 0. */
    static long scaleUp(long a, long b, long c) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
            return Math.ceilDiv(low, c);
        }
        BigInteger[] qr =
                BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divideAndRemainder(BigInteger.valueOf(c));
        return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
    }

    /** One source of credit: a grant or a tenant's balance in one currency. */
    static final class Pocket {
        final String id;
        final Grant grant;
        final String currency;
        final Set<String> models;
        final int rank;
        final Instant expiresAt;
        final Instant createdAt;
        long amount;
        long used;
        long held;

        Pocket(Grant g) {
            this.id = g.id();
            this.grant = g;
            this.currency = g.currency();
            this.models = g.models();
            this.rank = g.priority().ordinal();
            this.expiresAt = g.expiresAt();
            this.createdAt = g.createdAt();
            this.amount = g.amount();
        }

        Pocket(String id, String currency, Instant createdAt) {
            this.id = id;
            this.grant = null;
            this.currency = currency;
            this.models = Set.of();
            this.rank = Grant.Priority.values().length;
            this.expiresAt = null;
            this.createdAt = createdAt;
        }

        boolean appliesTo(String model, Instant at) {
            return (expiresAt == null || at.isBefore(expiresAt)) && (models.isEmpty() || models.contains(model));
        }
    }

    /** What one walk over the sources takes from each; as a hold, what a request reserved. */
    static final class Walk {
        Pocket[] pockets = new Pocket[4];
        long[] amounts = new long[4];
        int count;
        long tokensLeft;
        long moneyLeft;

        void take(Pocket p, long amount) {
            if (count == pockets.length) {
                pockets = java.util.Arrays.copyOf(pockets, count * 2);
                amounts = java.util.Arrays.copyOf(amounts, count * 2);
            }
            pockets[count] = p;
            amounts[count++] = amount;
        }

        void release() {
            for (int i = 0; i < count; i++) {
                pockets[i].held -= amounts[i];
            }
        }
    }

    static final class Account {
        final List<Pocket> pockets = new ArrayList<>();
        final Map<String, Pocket> byId = new HashMap<>();
        final Set<String> topUps = new HashSet<>();
        final Set<String> settled = new HashSet<>();
        final Map<String, Walk> holds = new HashMap<>();

        void add(Pocket p) {
            byId.put(p.id, p);
            int i = 0;
            while (i < pockets.size() && ORDER.compare(pockets.get(i), p) <= 0) {
                i++;
            }
            pockets.add(i, p);
        }

        /** Takes, in order, what is free in each source that applies, until the request is paid for. */
        Walk walk(String model, long tokens, long micros, String currency, Instant at) {
            Walk w = new Walk();
            long tokensLeft = tokens;
            long moneyLeft = micros;
            for (int i = 0, n = pockets.size(); i < n && (tokensLeft > 0 || moneyLeft > 0); i++) {
                Pocket p = pockets.get(i);
                long free = p.amount - p.used - p.held;
                if (free <= 0 || !p.appliesTo(model, at)) {
                    continue;
                }
                if (p.currency == null) {
                    if (tokensLeft == 0) {
                        continue;
                    }
                    long t = Math.min(free, tokensLeft);
                    tokensLeft -= t;
                    w.take(p, t);
                    moneyLeft = scaleUp(micros, tokensLeft, tokens);
                } else {
                    if (moneyLeft == 0 || !p.currency.equals(currency)) {
                        continue;
                    }
                    long m = Math.min(free, moneyLeft);
                    moneyLeft -= m;
                    w.take(p, m);
                    tokensLeft = scaleUp(tokens, moneyLeft, micros);
                }
            }
            w.tokensLeft = tokensLeft;
            w.moneyLeft = moneyLeft;
            return w;
        }
    }
}
