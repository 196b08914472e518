package dev.tollgate.guard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Streaming distillation detector: per-account features (token shapes, single-turn share, template mass, phrasing,
 * sampling, timing, moves onto new models) and cross-account links (prompt skeletons shared through MinHash LSH
 * buckets, shared fingerprints, lockstep arrivals), all in bounded memory with expiry.
 *
 * <p>Updated by one thread (the gateway's guard consumer, or the replay); its reads for operators are synchronised
 * with it. The verdict of an account is published to a concurrent map, so the request path reads it in O(1)
 * without a lock.
 */
public final class Detector {
    /** The feature names, as reported. */
    public static final List<String> FEATURES = List.of(
            "output_ratio",
            "reasoning_share",
            "single_turn",
            "template_mass",
            "cot_phrasing",
            "datagen_phrasing",
            "sampling",
            "topic_breadth",
            "timing_regularity",
            "new_model",
            "volume",
            "shared_skeleton",
            "shared_fingerprint",
            "lockstep");

    private static final long DAY = 86_400_000L;
    private static final int LINK_SLOTS = 8;

    private volatile GuardSettings settings;
    private final Consumer<VerdictChange> audit;
    private final BoundedMap<String, AccountState> accounts;
    private final BoundedMap<Long, Link> skeletons;
    private final BoundedMap<String, Link> fingerprints;
    private final BoundedMap<String, OrgState> orgs;
    private final BoundedMap<String, Long> models;
    private final ConcurrentHashMap<String, Verdict> inForce = new ConcurrentHashMap<>();
    private final Map<String, Override> overrides = new LinkedHashMap<>();
    private final long[] words = new long[Observation.MAX_SKELETON_CHARS / 2];
    private final int[] bands = new int[Prompts.BANDS];
    private long start = Long.MIN_VALUE;
    private long clock = Long.MIN_VALUE;
    private long observed;

    private record Override(Verdict verdict, String reason, Instant at) {}

    /** Accounts seen on one shared prompt skeleton band or fingerprint: a few recent members, a running score. */
    static final class Link {
        final int[] members = new int[LINK_SLOTS];
        final int[] orgs = new int[LINK_SLOTS];
        final long[] times = new long[LINK_SLOTS];
        int size;
        int next;
        double score;
        long seen;

        /** Adds the account; returns the number of members from other organisations. */
        int add(int account, int org, long now) {
            int slot = -1;
            for (int i = 0; i < size; i++) {
                if (members[i] == account) {
                    slot = i;
                    break;
                }
            }
            if (slot < 0) {
                if (size < LINK_SLOTS) {
                    slot = size++;
                } else {
                    slot = next;
                    next = (next + 1) % LINK_SLOTS;
                }
                members[slot] = account;
                orgs[slot] = org;
            }
            times[slot] = now;
            seen++;
            int others = 0;
            for (int i = 0; i < size; i++) {
                if (orgs[i] != org) {
                    others++;
                }
            }
            return others;
        }

        /** Members other than {@code account} that arrived within {@code window} ms of {@code now}. */
        int near(int account, long now, long window) {
            int n = 0;
            for (int i = 0; i < size; i++) {
                if (members[i] != account && Math.abs(times[i] - now) <= window) {
                    n++;
                }
            }
            return n;
        }
    }

    static final class OrgState {
        long count;
        double score;
        long accountsFlagged;
    }

    public Detector(GuardSettings settings, Consumer<VerdictChange> audit) {
        this.settings = settings;
        this.audit = audit;
        long accountTtl = settings.accountTtl().toMillis();
        long globalTtl = settings.globalTtl().toMillis();
        this.accounts = new BoundedMap<>(settings.maxAccounts(), accountTtl, inForce::remove);
        this.skeletons = new BoundedMap<>(settings.maxGlobalEntries(), globalTtl, k -> {});
        this.fingerprints = new BoundedMap<>(settings.maxGlobalEntries(), globalTtl, k -> {});
        this.orgs = new BoundedMap<>(settings.maxGlobalEntries(), accountTtl, k -> {});
        this.models = new BoundedMap<>(1024, 365 * DAY, k -> {});
    }

    public GuardSettings settings() {
        return settings;
    }

    /** Takes new thresholds and allowlist; capacities and expiry stay as built. */
    public synchronized void reconfigure(GuardSettings next) {
        this.settings = next;
    }

    /** The verdict in force for the account: lock-free, O(1), for the request path. */
    public Verdict verdictOf(String account) {
        Verdict v = inForce.get(account);
        return v == null ? Verdict.CLEAR : v;
    }

    /** How many accounts have each verdict in force now (index: {@link Verdict#ordinal}); clear ones are not kept. */
    public long[] verdictCounts() {
        long[] out = new long[Verdict.values().length];
        for (Verdict v : inForce.values()) {
            out[v.ordinal()]++;
        }
        return out;
    }

    /** Feeds one exchange; its time drives expiry, so a replay with recorded times behaves as the live run did. */
    public synchronized void observe(Observation o) {
        long now = o.time().toEpochMilli();
        if (start == Long.MIN_VALUE) {
            start = now;
        }
        clock = Math.max(clock, now);
        observed++;
        // Expiry checks only the least recently touched entries: cheap enough for every observation.
        accounts.expire(clock);
        skeletons.expire(clock);
        fingerprints.expire(clock);
        orgs.expire(clock);
        AccountState a = accounts.touch(o.account(), clock, k -> new AccountState(k, o.org()));
        a.org = o.org();
        a.count++;
        if (a.count == 1) {
            a.firstSeen = now;
        } else {
            double gap = Math.max(0.05, (now - a.lastSeen) / 1000.0);
            double lg = Math.log(gap);
            a.gaps++;
            double ga = Math.max(1.0 / a.gaps, 0.05);
            a.logGap += ga * (lg - a.logGap);
            a.logGapSq += ga * (lg * lg - a.logGapSq);
        }
        a.lastSeen = Math.max(a.lastSeen, now);
        double alpha = a.alpha();
        a.logRatio += alpha * (Math.log((o.completionTokens() + 1.0) / (o.promptTokens() + 1.0)) - a.logRatio);
        double share = o.completionTokens() > 0 ? (double) o.reasoningTokens() / o.completionTokens() : 0;
        a.reasoningShare += alpha * (Math.min(1, share) - a.reasoningShare);
        a.singleTurn += alpha * ((o.singleTurn() && !o.tools() ? 1 : 0) - a.singleTurn);
        a.cot += alpha * ((Prompts.elicitsReasoning(o.skeleton()) ? 1 : 0) - a.cot);
        a.dataGen += alpha * ((Prompts.generatesData(o.skeleton()) ? 1 : 0) - a.dataGen);
        a.sampling += alpha * ((o.n() > 1 || o.logprobs() ? 1 : 0) - a.sampling);
        int n = Prompts.words(o.skeleton(), words);
        a.novelty += alpha * (a.novelty(words, n) - a.novelty);
        int accountHash = o.account().hashCode();
        int orgHash = o.org().hashCode();
        Link strongest = null;
        String strongestName = null;
        int strongestOthers = 0;
        if (Prompts.bands(words, n, bands)) {
            a.template += alpha * ((a.matchAndRemember(bands) ? 1 : 0) - a.template);
            int maxOthers = 0;
            int maxNear = 0;
            for (int b = 0; b < Prompts.BANDS; b++) {
                long key = ((long) b << 32) | (bands[b] & 0xffffffffL);
                Link link = skeletons.touch(key, clock, k -> new Link());
                int others = link.add(accountHash, orgHash, now);
                maxNear = Math.max(maxNear, link.near(accountHash, now, 2000));
                if (others > maxOthers) {
                    maxOthers = others;
                    if (others > strongestOthers) {
                        strongest = link;
                        strongestOthers = others;
                        strongestName = "skeleton:" + Integer.toHexString(bands[b]);
                    }
                }
            }
            a.sharedSkeleton += alpha * (clamp((maxOthers - 1) / 4.0) - a.sharedSkeleton);
            a.lockstep += alpha * ((maxNear >= 2 ? 1 : 0) - a.lockstep);
        } else {
            a.template += alpha * (0 - a.template);
            a.sharedSkeleton += alpha * (0 - a.sharedSkeleton);
            a.lockstep += alpha * (0 - a.lockstep);
        }
        double fpShare = 0;
        String[] kinds = {"ip", "payment", "client"};
        String[] values = {o.ip(), o.paymentFp(), o.clientFp()};
        double[] weights = {0.5, 1.0, 0.8};
        for (int i = 0; i < kinds.length; i++) {
            if (values[i] == null) {
                continue;
            }
            String key = kinds[i] + ":" + values[i];
            Link link = fingerprints.touch(key, clock, k -> new Link());
            int others = link.add(accountHash, orgHash, now);
            a.rememberFingerprint(key);
            fpShare = Math.max(fpShare, weights[i] * clamp((others - 1) / 5.0));
            if (i > 0 && others > strongestOthers) {
                strongest = link;
                strongestOthers = others;
                strongestName = key;
            }
        }
        a.sharedFingerprint += alpha * (fpShare - a.sharedFingerprint);
        long modelFirst = models.touch(o.model(), clock, k -> now);
        boolean fresh = now - modelFirst < 3 * DAY && modelFirst - start > DAY;
        a.newModel += alpha * ((fresh ? 1 : 0) - a.newModel);

        double[] f = features(a);
        double own = score(f) * Math.min(1, a.count / 15.0);
        double cluster = 0;
        if (strongest != null && strongestOthers >= 3) {
            strongest.score += 0.05 * (own - strongest.score);
            cluster = strongest.score;
            a.cluster = strongestName;
            a.clusterScore = cluster;
        }
        a.score = Math.max(own, 0.5 * own + 0.5 * cluster);
        OrgState org = orgs.touch(o.org(), clock, k -> new OrgState());
        org.count++;
        org.score += Math.max(1.0 / org.count, 0.02) * (a.score - org.score);
        decide(a, org, now);
    }

    private void decide(AccountState a, OrgState org, long now) {
        GuardSettings s = settings;
        Verdict before = effective(a);
        Verdict target = a.score >= s.confirmed()
                ? Verdict.CONFIRMED
                : a.score >= s.suspect() ? Verdict.SUSPECT : a.score >= s.watch() ? Verdict.WATCH : Verdict.CLEAR;
        if (target == Verdict.CONFIRMED && a.count < s.minConfirmObservations()) {
            target = Verdict.SUSPECT;
        }
        if (target.compareTo(a.verdict) > 0) {
            a.verdict = target;
        } else if (target.compareTo(a.verdict) < 0 && a.verdict != Verdict.CONFIRMED) {
            // Hysteresis: drop a level only once clearly below the threshold that raised it.
            if (a.score < threshold(s, a.verdict) - s.hysteresis()) {
                a.verdict = Verdict.values()[a.verdict.ordinal() - 1];
            }
        }
        if (a.verdict.atLeast(Verdict.SUSPECT) && a.firstFlagged < 0) {
            a.firstFlagged = now;
            org.accountsFlagged++;
        }
        publish(a, before, "detector");
    }

    private static double threshold(GuardSettings s, Verdict v) {
        return switch (v) {
            case CLEAR -> 0;
            case WATCH -> s.watch();
            case SUSPECT -> s.suspect();
            case CONFIRMED -> s.confirmed();
        };
    }

    private Verdict effective(AccountState a) {
        Override o = overrides.get(a.account);
        if (o != null) {
            return o.verdict;
        }
        GuardSettings s = settings;
        if (s.allowlist().contains(a.account) || s.allowlist().contains(a.org)) {
            return Verdict.CLEAR;
        }
        return a.verdict;
    }

    private void publish(AccountState a, Verdict before, String cause) {
        Verdict now = effective(a);
        if (now == Verdict.CLEAR) {
            inForce.remove(a.account);
        } else {
            inForce.put(a.account, now);
        }
        if (now != before) {
            audit.accept(new VerdictChange(
                    Instant.ofEpochMilli(clock), a.account, a.org, before, now, a.score, cause, reasons(features(a))));
        }
    }

    /** Sets (or with a null verdict, lifts) an operator's verdict for an account; it wins over the detector's. */
    public synchronized void override(String account, Verdict verdict, String reason, Instant at) {
        AccountState a = accounts.peek(account);
        Verdict before = a == null ? verdictOf(account) : effective(a);
        if (verdict == null) {
            overrides.remove(account);
        } else {
            overrides.put(account, new Override(verdict, reason == null ? "" : reason, at));
        }
        if (a != null) {
            publish(a, before, "operator: " + reason);
        } else {
            if (verdict == null || verdict == Verdict.CLEAR) {
                inForce.remove(account);
            } else {
                inForce.put(account, verdict);
            }
            if (verdict != before) {
                audit.accept(new VerdictChange(
                        at,
                        account,
                        null,
                        before,
                        verdict == null ? Verdict.CLEAR : verdict,
                        0,
                        "operator: " + reason,
                        List.of()));
            }
        }
    }

    /** The raw state of an account, for tests of its size. */
    synchronized AccountState state(String account) {
        return accounts.peek(account);
    }

    public synchronized Optional<AccountReport> report(String account) {
        AccountState a = accounts.peek(account);
        return a == null ? Optional.empty() : Optional.of(report(a));
    }

    /** Reports of the accounts whose verdict in force is {@code verdict} (all when null), highest score first. */
    public synchronized List<AccountReport> reports(Verdict verdict) {
        List<AccountReport> out = new ArrayList<>();
        for (Map.Entry<String, AccountState> e : accounts.entries()) {
            if (verdict == null || effective(e.getValue()) == verdict) {
                out.add(report(e.getValue()));
            }
        }
        out.sort(Comparator.comparingDouble(AccountReport::score).reversed().thenComparing(AccountReport::account));
        return out;
    }

    /** Sizes of the bounded state, for tests and metrics. */
    public record Stats(long observed, int accounts, int skeletonBuckets, int fingerprints, int orgs, long evictions) {}

    public synchronized Stats stats() {
        return new Stats(
                observed,
                accounts.size(),
                skeletons.size(),
                fingerprints.size(),
                orgs.size(),
                accounts.evictions() + skeletons.evictions() + fingerprints.evictions());
    }

    /** Organisation summary: observations, running score, accounts flagged. */
    public record OrgReport(String org, long observations, double score, long accountsFlagged) {}

    public synchronized Optional<OrgReport> org(String name) {
        OrgState o = orgs.peek(name);
        return o == null ? Optional.empty() : Optional.of(new OrgReport(name, o.count, o.score, o.accountsFlagged));
    }

    private AccountReport report(AccountState a) {
        double[] f = features(a);
        Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < f.length; i++) {
            values.put(FEATURES.get(i), round(f[i]));
        }
        Override o = overrides.get(a.account);
        GuardSettings s = settings;
        List<String> reasons = new ArrayList<>(reasons(f));
        if (o == null && (s.allowlist().contains(a.account) || s.allowlist().contains(a.org))) {
            reasons.add(0, "allowlisted");
        }
        if (a.clusterScore > 0 && a.cluster != null && a.clusterScore >= s.watch()) {
            reasons.add("cluster " + a.cluster + " " + round(a.clusterScore));
        }
        return new AccountReport(
                a.account,
                a.org,
                effective(a),
                round(a.score),
                a.cluster,
                round(a.clusterScore),
                a.firstFlagged < 0 ? null : Instant.ofEpochMilli(a.firstFlagged),
                List.copyOf(reasons),
                values,
                a.count,
                Instant.ofEpochMilli(a.firstSeen),
                Instant.ofEpochMilli(a.lastSeen),
                o == null ? null : o.verdict.wire() + ": " + o.reason);
    }

    private static List<String> reasons(double[] f) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < f.length; i++) {
            if (f[i] >= 0.5 && !FEATURES.get(i).equals("volume")) {
                idx.add(i);
            }
        }
        idx.sort((x, y) -> Double.compare(f[y] * WEIGHT[y], f[x] * WEIGHT[x]));
        List<String> out = new ArrayList<>();
        for (int i : idx.subList(0, Math.min(6, idx.size()))) {
            out.add(FEATURES.get(i) + "=" + round(f[i]));
        }
        return out;
    }

    /** How much each feature counts when ranking reasons (the score combines them as in {@link #score}). */
    private static final double[] WEIGHT = {1.0, 1.2, 0.7, 0.9, 1.5, 1.5, 0.5, 0.4, 0.4, 0.3, 0.1, 1.2, 1.2, 0.8};

    static double[] features(AccountState a) {
        double sd = Math.sqrt(Math.max(0, a.logGapSq - a.logGap * a.logGap));
        return new double[] {
            clamp((a.logRatio - Math.log(1.5)) / (Math.log(10) - Math.log(1.5))),
            clamp((a.reasoningShare - 0.2) / 0.5),
            clamp((a.singleTurn - 0.6) / 0.4),
            clamp(a.template),
            clamp(a.cot / 0.8),
            clamp(a.dataGen / 0.8),
            clamp(a.sampling),
            clamp((a.novelty - 0.2) / 0.5),
            a.gaps >= 10 ? clamp(1 - sd) : 0,
            clamp(a.newModel / 0.4),
            clamp(Math.log10(Math.max(1, a.count)) / 3),
            clamp(a.sharedSkeleton),
            clamp(a.sharedFingerprint),
            clamp(a.lockstep / 0.5)
        };
    }

    /**
     * The account's own score: what it extracts (reasoning-eliciting or data-generating prompts, reasoning tokens,
     * long answers to short prompts) times how it behaves (automation, links to other accounts, volume).
     */
    static double score(double[] f) {
        // Reasoning-eliciting phrasing counts fully only in single-turn use: agents and tutors say "think through" too.
        double harvest = 0.45 * Math.max(f[4], f[5]) * (0.5 + 0.5 * f[2]) + 0.3 * f[1] + 0.25 * f[0];
        double automation = 0.35 * f[2] + 0.3 * f[3] + 0.1 * f[8] + 0.1 * f[7] + 0.15 * f[6];
        double collusion = Math.max(f[11], Math.max(f[12], f[13]));
        double behaviour = 0.5 * automation + 0.35 * collusion + 0.15 * Math.max(f[10], collusion) + 0.1 * f[9];
        return clamp(1.6 * harvest * behaviour);
    }

    static double clamp(double v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
