package dev.tollgate.guard;

import dev.tollgate.guard.TrafficGenerator.Event;
import dev.tollgate.guard.TrafficGenerator.Kind;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs generated, labelled traffic through the detector (via the trace path, as the replay does) and measures it.
 * {@code main} prints the table of docs/guard.md; tune against {@link #TRAINING} seeds only, report {@link #HELD_OUT}.
 */
final class GuardEvaluation {
    static final long[] TRAINING = {1, 2};
    static final long[] HELD_OUT = {101, 102, 103};

    /** Totals per kind over all seeds. */
    static final class Row {
        long accounts;
        long flagged;
        long campaigns;
        long detected;
        double hoursToDetection;
        long exchangesBeforeFlag;
        long exchanges;
    }

    final Map<Kind, Row> rows = new EnumMap<>(Kind.class);

    /** Whether declared uses (evaluation harnesses, permitted synthetic data) are allowlisted, as an operator would. */
    private final boolean allowDeclared;

    GuardEvaluation(boolean allowDeclared) {
        this.allowDeclared = allowDeclared;
    }

    static GuardEvaluation run(long... seeds) {
        return run(true, seeds);
    }

    static GuardEvaluation run(boolean allowDeclared, long... seeds) {
        GuardEvaluation e = new GuardEvaluation(allowDeclared);
        for (long seed : seeds) {
            e.runSeed(seed);
        }
        return e;
    }

    private void runSeed(long seed) {
        TrafficGenerator generator = new TrafficGenerator(seed);
        var events = generator.generate();
        Set<String> allow = allowDeclared ? Set.copyOf(generator.declared) : Set.of();
        Detector detector = new Detector(GuardSettings.defaults().withAllowlist(allow), c -> {});
        Map<String, Kind> kindOf = new HashMap<>();
        Set<String> flagged = new HashSet<>();
        Map<String, Long> campaignStart = new HashMap<>();
        Map<String, Long> campaignExchanges = new HashMap<>();
        Map<String, Kind> campaignKind = new HashMap<>();
        Map<String, Long> campaignFlaggedAt = new HashMap<>();
        Map<String, Long> campaignBefore = new HashMap<>();
        for (Event ev : events) {
            kindOf.put(ev.account(), ev.kind());
            detector.observe(Trace.observation(ev.line()));
            rows.computeIfAbsent(ev.kind(), k -> new Row()).exchanges++;
            if (ev.campaign() != null) {
                campaignStart.putIfAbsent(ev.campaign(), ev.ts());
                campaignKind.put(ev.campaign(), ev.kind());
                long served = campaignExchanges.merge(ev.campaign(), 1L, Long::sum);
                if (!campaignFlaggedAt.containsKey(ev.campaign())
                        && detector.verdictOf(ev.account()).atLeast(Verdict.SUSPECT)) {
                    campaignFlaggedAt.put(ev.campaign(), ev.ts());
                    campaignBefore.put(ev.campaign(), served - 1);
                }
            }
            if (detector.verdictOf(ev.account()).atLeast(Verdict.SUSPECT)) {
                flagged.add(ev.account());
            }
        }
        for (var entry : kindOf.entrySet()) {
            Row row = rows.get(entry.getValue());
            row.accounts++;
            if (flagged.contains(entry.getKey())) {
                row.flagged++;
            }
        }
        for (var c : campaignKind.entrySet()) {
            Row row = rows.get(c.getValue());
            row.campaigns++;
            Long at = campaignFlaggedAt.get(c.getKey());
            if (at != null) {
                row.detected++;
                row.hoursToDetection += (at - campaignStart.get(c.getKey())) / 3_600_000.0;
                row.exchangesBeforeFlag += campaignBefore.get(c.getKey());
            }
        }
    }

    Row row(Kind kind) {
        return rows.getOrDefault(kind, new Row());
    }

    double campaignRecall() {
        long c = 0;
        long d = 0;
        for (Kind k : Kind.values()) {
            if (k.campaign) {
                c += row(k).campaigns;
                d += row(k).detected;
            }
        }
        return c == 0 ? 0 : (double) d / c;
    }

    double accountRecall() {
        long pos = 0;
        long tp = 0;
        for (Kind k : Kind.values()) {
            if (k.campaign) {
                pos += row(k).accounts;
                tp += row(k).flagged;
            }
        }
        return pos == 0 ? 0 : (double) tp / pos;
    }

    double accountPrecision() {
        long tp = 0;
        long fp = 0;
        for (Kind k : Kind.values()) {
            if (k.campaign) {
                tp += row(k).flagged;
            } else {
                fp += row(k).flagged;
            }
        }
        return tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    }

    double benignFalsePositiveRate(boolean hard) {
        long accounts = 0;
        long flagged = 0;
        for (Kind k : Kind.values()) {
            if (!k.campaign && k.hard == hard) {
                accounts += row(k).accounts;
                flagged += row(k).flagged;
            }
        }
        return accounts == 0 ? 0 : (double) flagged / accounts;
    }

    double benignFalsePositiveRate() {
        long accounts = 0;
        long flagged = 0;
        for (Kind k : Kind.values()) {
            if (!k.campaign) {
                accounts += row(k).accounts;
                flagged += row(k).flagged;
            }
        }
        return accounts == 0 ? 0 : (double) flagged / accounts;
    }

    String table() {
        StringBuilder b = new StringBuilder();
        b.append("| kind | hard | accounts | flagged (suspect+) | rate | campaigns detected | mean hours to first flag"
                + " | mean exchanges before first flag |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Kind k : Kind.values()) {
            Row r = row(k);
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %.2f%% | %s | %s | %s |%n",
                    k.name().toLowerCase(Locale.ROOT),
                    k.campaign ? "campaign" : k.hard ? "yes" : "no",
                    r.accounts,
                    r.flagged,
                    r.accounts == 0 ? 0 : 100.0 * r.flagged / r.accounts,
                    k.campaign ? r.detected + "/" + r.campaigns : "",
                    k.campaign && r.detected > 0
                            ? String.format(Locale.ROOT, "%.1f", r.hoursToDetection / r.detected)
                            : "",
                    k.campaign && r.detected > 0 ? String.valueOf(r.exchangesBeforeFlag / r.detected) : ""));
        }
        b.append(String.format(
                Locale.ROOT,
                "%ncampaign recall %.2f; account precision %.3f, recall %.3f; benign FPR %.2f%% (ordinary %.2f%%,"
                        + " hard %.2f%%)%n",
                campaignRecall(),
                accountPrecision(),
                accountRecall(),
                100 * benignFalsePositiveRate(),
                100 * benignFalsePositiveRate(false),
                100 * benignFalsePositiveRate(true)));
        return b.toString();
    }

    /**
     * {@code main [train] [noallow]}: prints the table for the held-out seeds (or the training seeds), with declared
     * uses allowlisted (or not, to show what the allowlist is for).
     */
    public static void main(String[] args) {
        java.util.List<String> a = java.util.List.of(args);
        boolean train = a.contains("train");
        boolean allow = !a.contains("noallow");
        long startNanos = System.nanoTime();
        GuardEvaluation e = run(allow, train ? TRAINING : HELD_OUT);
        System.out.println((train ? "training seeds" : "held-out seeds")
                + (allow ? "" : ", declared uses NOT allowlisted") + "\n" + e.table());
        long exchanges = e.rows.values().stream().mapToLong(r -> r.exchanges).sum();
        System.out.printf(
                Locale.ROOT,
                "%d exchanges in %.1f s (generation, JSON, masking and detection, one thread)%n",
                exchanges,
                (System.nanoTime() - startNanos) / 1e9);
    }
}
