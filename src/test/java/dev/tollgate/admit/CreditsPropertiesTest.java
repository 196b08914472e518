package dev.tollgate.admit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random worlds of grants, top-ups and requests (seeded, so a failure names the seed that reproduces it), played
 * through {@link Credits} with reservations, settlements, releases and replays interleaved.
 */
class CreditsPropertiesTest {
    private static final int WORLDS = 300;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<String> MODELS = List.of("m1", "m2", "m3");
    private static final List<String> CURRENCIES = List.of("USD", "EUR");

    record Request(String id, String model, long tokens, long micros, String currency, Instant at) {}

    record World(List<Grant> grants, List<TopUp> topUps, List<Request> requests) {}

    static World world(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Grant> grants = new ArrayList<>();
        int n = r.nextInt(0, 8);
        for (int i = 0; i < n; i++) {
            boolean tokens = r.nextBoolean();
            Set<String> models = new HashSet<>();
            if (r.nextInt(3) == 0) {
                models.add(MODELS.get(r.nextInt(MODELS.size())));
            }
            Instant created = T0.plusSeconds(r.nextInt(0, 3600));
            Instant expires = r.nextInt(3) == 0 ? null : created.plusSeconds(r.nextInt(1, 20_000));
            grants.add(new Grant(
                    "g" + i,
                    "acme",
                    tokens ? null : CURRENCIES.get(r.nextInt(2)),
                    tokens ? r.nextLong(1, 5_000) : r.nextLong(1, 50_000),
                    models,
                    r.nextBoolean() ? Grant.Priority.PROMOTIONAL : Grant.Priority.PAID,
                    expires,
                    created,
                    "seed " + seed));
        }
        List<TopUp> topUps = new ArrayList<>();
        for (int i = 0, k = r.nextInt(0, 4); i < k; i++) {
            topUps.add(new TopUp("t" + i, "acme", CURRENCIES.get(r.nextInt(2)), r.nextLong(1, 30_000), T0, "pay-" + i));
        }
        List<Request> requests = new ArrayList<>();
        for (int i = 0, k = r.nextInt(1, 60); i < k; i++) {
            long tokens = r.nextInt(10) == 0 ? 0 : r.nextLong(1, 2_000);
            boolean priced = r.nextInt(5) != 0;
            requests.add(new Request(
                    "req" + i,
                    MODELS.get(r.nextInt(MODELS.size())),
                    tokens,
                    priced && tokens > 0 ? r.nextLong(1, 8_000) : 0,
                    priced ? CURRENCIES.get(r.nextInt(2)) : null,
                    T0.plusSeconds(r.nextInt(0, 25_000))));
        }
        return new World(grants, topUps, requests);
    }

    static Credits load(World w) {
        Credits credits = new Credits();
        w.grants().forEach(credits::grant);
        w.topUps().forEach(credits::topUp);
        return credits;
    }

    @Test
    void creditsNeverGoNegativeAndEveryEntryIsAccountedToItsSource() {
        for (long seed = 0; seed < WORLDS; seed++) {
            World w = world(seed);
            Credits credits = load(w);
            List<CreditEntry> entries = play(credits, w, new SplittableRandom(seed * 31 + 7), seed);
            Map<String, Long> bySource = new HashMap<>();
            for (CreditEntry e : entries) {
                assertThat(e.amount()).as("seed %d: %s", seed, e).isPositive();
                bySource.merge(e.source(), e.amount(), Long::sum);
            }
            for (Credits.Source s : credits.sources("acme")) {
                assertThat(s.held())
                        .as("seed %d: nothing held once every request is over", seed)
                        .isZero();
                assertThat(s.used()).as("seed %d: %s", seed, s).isBetween(0L, s.amount());
                assertThat(s.used())
                        .as("seed %d: entries of %s", seed, s.id())
                        .isEqualTo(bySource.getOrDefault(s.id(), 0L));
            }
        }
    }

    @Test
    void aRequestUsesASourceOnlyWhenEverySourceBeforeItThatAppliesIsUsedUp() {
        for (long seed = 0; seed < WORLDS; seed++) {
            World w = world(seed);
            Credits credits = load(w);
            for (Request q : w.requests()) {
                List<Credits.Source> before = credits.sources("acme");
                List<CreditEntry> made =
                        credits.settle("acme", q.id(), q.model(), q.tokens(), q.micros(), q.currency(), q.at());
                Map<String, Long> took = new HashMap<>();
                made.forEach(e -> took.merge(e.source(), e.amount(), Long::sum));
                int last = -1;
                for (int i = 0; i < before.size(); i++) {
                    if (took.containsKey(before.get(i).id())) {
                        last = i;
                    }
                }
                for (int i = 0; i < last; i++) {
                    Credits.Source s = before.get(i);
                    if (applies(s, q)) {
                        long left = s.amount() - s.used() - took.getOrDefault(s.id(), 0L);
                        assertThat(left)
                                .as("seed %d %s: %s before a later source", seed, q.id(), s.id())
                                .isZero();
                    }
                }
                // and the order itself: priority, then earliest expiry
                for (int i = 1; i < before.size(); i++) {
                    Credits.Source a = before.get(i - 1);
                    Credits.Source b = before.get(i);
                    assertThat(rank(a)).isLessThanOrEqualTo(rank(b));
                    if (rank(a) == rank(b) && a.expiresAt() != null && b.expiresAt() != null) {
                        assertThat(a.expiresAt()).isBeforeOrEqualTo(b.expiresAt());
                    }
                    if (rank(a) == rank(b) && a.expiresAt() == null) {
                        assertThat(b.expiresAt())
                                .as("seed %d: a grant without expiry goes last", seed)
                                .isNull();
                    }
                }
            }
        }
    }

    @Test
    void noGrantPaysForARequestMadeAtOrAfterItsExpiryOrForAModelOutsideIt() {
        for (long seed = 0; seed < WORLDS; seed++) {
            World w = world(seed);
            Credits credits = load(w);
            Map<String, Grant> grants = new HashMap<>();
            w.grants().forEach(g -> grants.put(g.id(), g));
            Map<String, Request> requests = new HashMap<>();
            w.requests().forEach(q -> requests.put(q.id(), q));
            for (CreditEntry e : play(credits, w, new SplittableRandom(seed), seed)) {
                Grant g = grants.get(e.source());
                if (g == null) {
                    continue;
                }
                Request q = requests.get(e.requestId());
                if (g.expiresAt() != null) {
                    assertThat(q.at()).as("seed %d: %s", seed, e).isBefore(g.expiresAt());
                }
                if (!g.models().isEmpty()) {
                    assertThat(g.models()).as("seed %d: %s", seed, e).contains(q.model());
                }
            }
        }
    }

    @Test
    void aReplayedUsageRecordNeverConsumesTwiceNotEvenAfterARestart() {
        for (long seed = 0; seed < WORLDS; seed++) {
            World w = world(seed);
            Credits credits = load(w);
            List<CreditEntry> first = play(credits, w, new SplittableRandom(seed), seed);
            List<Credits.Source> after = credits.sources("acme");
            // replayed in this process (a request whose answer ended without a record was never settled)
            for (Request q : w.requests()) {
                if (!credits.settled("acme", q.id())) {
                    continue;
                }
                assertThat(credits.settle("acme", q.id(), q.model(), q.tokens(), q.micros(), q.currency(), q.at()))
                        .isEmpty();
            }
            assertThat(credits.sources("acme")).isEqualTo(after);
            // a new process loads grants, top-ups and the stored entries, and the journal replays every record
            Credits restarted = load(w);
            first.forEach(restarted::restore);
            for (Request q : w.requests()) {
                List<CreditEntry> again =
                        restarted.settle("acme", q.id(), q.model(), q.tokens(), q.micros(), q.currency(), q.at());
                boolean hadEntries = first.stream().anyMatch(e -> e.requestId().equals(q.id()));
                if (hadEntries) {
                    assertThat(again).as("seed %d %s", seed, q.id()).isEmpty();
                }
            }
            Map<String, Long> usedBefore = used(credits.sources("acme"));
            Map<String, Long> usedNow = used(restarted.sources("acme"));
            long s0 = seed;
            usedBefore.forEach((id, used) -> assertThat(usedNow.get(id))
                    .as("seed %d: %s after restart and replay", s0, id)
                    .isGreaterThanOrEqualTo(used));
            assertThat(restarted.sources("acme").stream().allMatch(s -> s.used() <= s.amount()))
                    .isTrue();
        }
    }

    @Test
    void aCoveredReservationIsNeverShortWhenTheRealUseIsNoMoreThanReserved() {
        for (long seed = 0; seed < WORLDS; seed++) {
            World w = world(seed);
            Credits credits = load(w);
            SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
            int covered = 0;
            for (Request q : w.requests()) {
                Credits.Coverage c =
                        credits.reserve("acme", q.id(), q.model(), q.tokens(), q.micros(), q.currency(), q.at());
                if (c instanceof Credits.Covered) {
                    covered++;
                    long tokens = q.tokens() == 0 ? 0 : r.nextLong(0, q.tokens() + 1);
                    long micros = q.tokens() == 0 ? 0 : q.micros() * tokens / q.tokens();
                    List<CreditEntry> made =
                            credits.settle("acme", q.id(), q.model(), tokens, micros, q.currency(), q.at());
                    assertThat(made)
                            .as("seed %d %s", seed, q.id())
                            .noneMatch(e -> e.source().equals(CreditEntry.UNCOVERED));
                } else {
                    assertThat(((Credits.Short) c).message()).contains("out of credit", q.model());
                }
            }
            if (seed == 0) {
                assertThat(covered).isPositive();
            }
        }
    }

    @Test
    void theGeneratorsReachEveryInterestingCase() {
        int expired = 0, scoped = 0, uncovered = 0, refused = 0, mixed = 0;
        for (long seed = 0; seed < WORLDS; seed++) {
            World w = world(seed);
            Credits credits = load(w);
            List<CreditEntry> entries = play(credits, w, new SplittableRandom(seed), seed);
            uncovered += (int) entries.stream()
                    .filter(e -> e.source().equals(CreditEntry.UNCOVERED))
                    .count();
            Map<String, Set<String>> units = new HashMap<>();
            entries.forEach(e -> units.computeIfAbsent(e.requestId(), k -> new HashSet<>())
                    .add(e.currency() == null ? "tokens" : "money"));
            mixed += (int) units.values().stream().filter(s -> s.size() == 2).count();
            for (Request q : w.requests()) {
                for (Grant g : w.grants()) {
                    if (g.expiresAt() != null && !q.at().isBefore(g.expiresAt())) {
                        expired++;
                    }
                    if (!g.models().isEmpty() && !g.models().contains(q.model())) {
                        scoped++;
                    }
                }
            }
            Credits fresh = load(w);
            for (Request q : w.requests()) {
                if (fresh.reserve("acme", q.id(), q.model(), q.tokens(), q.micros(), q.currency(), q.at())
                        instanceof Credits.Short) {
                    refused++;
                }
            }
        }
        assertThat(expired).isGreaterThan(100);
        assertThat(scoped).isGreaterThan(100);
        assertThat(uncovered).isGreaterThan(20);
        assertThat(refused).isGreaterThan(100);
        assertThat(mixed).isGreaterThan(20);
    }

    /** Reserves, then settles (with a real use up to twice the reservation), releases, or settles twice, at random. */
    static List<CreditEntry> play(Credits credits, World w, SplittableRandom r, long seed) {
        List<CreditEntry> entries = new ArrayList<>();
        List<Request> open = new ArrayList<>();
        for (Request q : w.requests()) {
            credits.reserve("acme", q.id(), q.model(), q.tokens(), q.micros(), q.currency(), q.at());
            open.add(q);
            while (!open.isEmpty() && r.nextInt(3) != 0) {
                Request done = open.remove(r.nextInt(open.size()));
                finish(credits, done, r, entries);
            }
        }
        for (Request done : open) {
            finish(credits, done, r, entries);
        }
        return entries;
    }

    private static void finish(Credits credits, Request q, SplittableRandom r, List<CreditEntry> entries) {
        int what = r.nextInt(10);
        if (what == 0) {
            credits.release("acme", q.id());
            return;
        }
        long tokens = q.tokens() == 0 ? 0 : r.nextLong(0, 2 * q.tokens() + 1);
        long micros = q.tokens() == 0 ? 0 : q.micros() * tokens / q.tokens();
        entries.addAll(credits.settle("acme", q.id(), q.model(), tokens, micros, q.currency(), q.at()));
        if (what == 1) {
            entries.addAll(credits.settle("acme", q.id(), q.model(), tokens, micros, q.currency(), q.at()));
        }
    }

    private static boolean applies(Credits.Source s, Request q) {
        if (s.expiresAt() != null && !q.at().isBefore(s.expiresAt())) {
            return false;
        }
        if (!s.models().isEmpty() && !s.models().contains(q.model())) {
            return false;
        }
        return s.currency() == null ? q.tokens() > 0 : s.currency().equals(q.currency()) && q.micros() > 0;
    }

    private static int rank(Credits.Source s) {
        return s.priority() == null ? 2 : s.priority().ordinal();
    }

    private static Map<String, Long> used(List<Credits.Source> sources) {
        Map<String, Long> m = new HashMap<>();
        sources.forEach(s -> m.put(s.id(), s.used()));
        return m;
    }
}
