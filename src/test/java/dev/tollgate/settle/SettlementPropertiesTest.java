package dev.tollgate.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the settlement engine over random agreements and random revenue, one seed per case so a failure
 * names the seed that reproduces it. Event times are drawn partly from the instants where terms start, end and
 * change (and one nanosecond either side), because that is where off-by-one errors live.
 */
class SettlementPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    static final long SPAN_SECONDS = 181L * 24 * 3600; // six months
    static final List<Party> PARTIES = List.of(
            new Party("owner", Party.Role.MODEL_OWNER),
            new Party("cloud", Party.Role.CLOUD),
            new Party("reseller", Party.Role.RESELLER),
            new Party("platform", Party.Role.PLATFORM));
    static final List<String> MODELS = List.of("m0", "m1", "m2");
    static final List<String> REGIONS = List.of("eu", "us", "ap");
    static final List<String> TENANTS = List.of("t0", "t1");
    static final List<String> PROVIDERS = List.of("p0", "p1");

    static Stream<Long> seeds() {
        return LongStream.range(0, 200).boxed();
    }

    /** One random world: agreements and the revenue events, in time order. */
    record World(List<Agreement> agreements, List<Revenue> events) {}

    static World world(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Agreement> agreements = new ArrayList<>();
        int count = 1 + rnd.nextInt(4);
        for (int i = 0; i < count; i++) {
            agreements.add(agreement("a" + i, rnd));
        }
        List<Instant> edges = new ArrayList<>();
        for (Agreement a : agreements) {
            edges.add(a.start());
            edges.add(a.end());
            a.amendments().forEach(m -> edges.add(m.effectiveFrom()));
        }
        List<Revenue> events = new ArrayList<>();
        int n = 10 + rnd.nextInt(70);
        for (int i = 0; i < n; i++) {
            Instant t;
            if (rnd.nextInt(10) < 3) {
                t = edges.get(rnd.nextInt(edges.size())).plusNanos(rnd.nextInt(3) - 1L);
            } else {
                t = randomInstant(rnd);
            }
            String model = pick(MODELS, rnd);
            String provider = pick(PROVIDERS, rnd);
            events.add(new Revenue(
                    "req_" + seed + "_" + i,
                    t,
                    pick(TENANTS, rnd),
                    model,
                    provider + "/" + model,
                    provider,
                    pick(REGIONS, rnd),
                    new Money(USD, BigDecimal.valueOf(rnd.nextLong(0, 50_000_000L), Money.SCALE))));
        }
        events.sort(Comparator.comparing(Revenue::time).thenComparing(Revenue::requestId));
        return new World(agreements, events);
    }

    static Agreement agreement(String id, SplittableRandom rnd) {
        Party payer = pick(PARTIES, rnd);
        Party payee;
        do {
            payee = pick(PARTIES, rnd);
        } while (payee.equals(payer));
        RevenueBase base = RevenueBase.ANY;
        if (rnd.nextBoolean()) {
            base = base.withModels(subset(MODELS, rnd));
        }
        if (rnd.nextInt(3) == 0) {
            base = base.withRegions(subset(REGIONS, rnd));
        }
        if (rnd.nextInt(4) == 0) {
            base = base.withProviders(subset(PROVIDERS, rnd));
        }
        if (rnd.nextInt(5) == 0) {
            base = base.withTenants(subset(TENANTS, rnd));
        }
        Instant a = randomInstant(rnd);
        Instant b = randomInstant(rnd);
        Instant start = a.isBefore(b) ? a : b;
        Instant end = a.isBefore(b) ? b : a.plusSeconds(1);
        Optional<Money> cap = rnd.nextBoolean() ? Optional.of(money(rnd, 200)) : Optional.empty();
        Agreement agreement = Agreement.of(id, payer, payee, base, rate(rnd), cap, start, end);
        int amendments = rnd.nextInt(3);
        for (int i = 0; i < amendments; i++) {
            Instant at = randomInstant(rnd);
            agreement = agreement.amended(
                    switch (rnd.nextInt(3)) {
                        case 0 -> Amendment.endsFrom(at);
                        case 1 -> Amendment.capFrom(at, money(rnd, 200));
                        default -> Amendment.rateFrom(at, rate(rnd));
                    });
        }
        return agreement;
    }

    static BigDecimal rate(SplittableRandom rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> new BigDecimal("0.20");
            case 1 -> new BigDecimal("0.333333333");
            case 2 -> BigDecimal.valueOf(rnd.nextInt(10_001), 4);
            default -> rnd.nextBoolean() ? BigDecimal.ONE : BigDecimal.ZERO;
        };
    }

    static Money money(SplittableRandom rnd, long maxUnits) {
        return new Money(USD, BigDecimal.valueOf(rnd.nextLong(0, maxUnits * 1_000_000L), Money.SCALE));
    }

    static Instant randomInstant(SplittableRandom rnd) {
        return FROM.plusSeconds(rnd.nextLong(SPAN_SECONDS));
    }

    static <T> T pick(List<T> values, SplittableRandom rnd) {
        return values.get(rnd.nextInt(values.size()));
    }

    static String[] subset(List<String> values, SplittableRandom rnd) {
        Set<String> chosen = new LinkedHashSet<>();
        int n = 1 + rnd.nextInt(values.size());
        while (chosen.size() < n) {
            chosen.add(pick(values, rnd));
        }
        return chosen.toArray(String[]::new);
    }

    static Settlement settle(World world, List<Revenue> arrivals) {
        Settlement s = new Settlement(new Ledger(USD), world.agreements());
        arrivals.forEach(s::post);
        return s;
    }

    /** Net share per agreement id and request id, read from the ledger. */
    static Map<String, Map<String, Money>> shares(Ledger ledger) {
        Map<String, Map<String, Money>> out = new HashMap<>();
        for (Transaction tx : ledger.transactions()) {
            tx.basis()
                    .underAgreement()
                    .ifPresent(a -> out.computeIfAbsent(a.id(), k -> new HashMap<>())
                            .merge(tx.sourceRequestId(), tx.net(Account.receivable(a.payee())), Money::plus));
        }
        return out;
    }

    /**
     * The specification, written out plainly: in (time, request id) order, a covered event's share is rate times
     * amount rounded HALF_EVEN, at most what is left under the cap in force at its time.
     */
    static Map<String, Map<String, Money>> expectedShares(World world) {
        Map<String, Map<String, Money>> out = new HashMap<>();
        for (Agreement a : world.agreements()) {
            Map<String, Money> byRequest = new HashMap<>();
            BigDecimal cumulative = BigDecimal.ZERO;
            for (Revenue r : world.events()) {
                if (!a.base().matches(r)
                        || r.time().isBefore(a.start())
                        || !r.time().isBefore(a.end())) {
                    continue;
                }
                BigDecimal rate = a.rate();
                Optional<Money> cap = a.cap();
                boolean ended = false;
                for (Amendment m : a.amendments()) {
                    if (!m.effectiveFrom().isAfter(r.time())) {
                        ended |= m.ends();
                        rate = m.rate().orElse(rate);
                        if (m.cap().isPresent()) {
                            cap = m.cap();
                        }
                    }
                }
                if (ended) {
                    continue;
                }
                BigDecimal share = r.amount().amount().multiply(rate).setScale(6, RoundingMode.HALF_EVEN);
                if (cap.isPresent()) {
                    share = share.min(cap.get().amount().subtract(cumulative).max(BigDecimal.ZERO));
                }
                cumulative = cumulative.add(share);
                byRequest.put(r.requestId(), new Money(USD, share));
            }
            if (!byRequest.isEmpty()) {
                out.put(a.id(), byRequest);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyTransactionBalancesAndSoDoesTheLedger(long seed) {
        World world = world(seed);
        List<Revenue> shuffled = shuffled(world.events(), new SplittableRandom(seed ^ 0x5eed));
        Ledger ledger = settle(world, shuffled).ledger();

        Map<Account, Money> balances = new HashMap<>();
        for (Transaction tx : ledger.transactions()) {
            Money debits = Money.zero(USD);
            Money credits = Money.zero(USD);
            for (Entry e : tx.entries()) {
                if (e.side() == Entry.Side.DEBIT) {
                    debits = debits.plus(e.amount());
                } else {
                    credits = credits.plus(e.amount());
                }
                balances.merge(e.account(), e.signed(), Money::plus);
            }
            assertThat(debits).as("seed %d, %s", seed, tx.id()).isEqualTo(credits);
        }
        assertThat(balances.values().stream().reduce(Money.zero(USD), Money::plus))
                .isEqualTo(Money.zero(USD));
        Money revenue = world.events().stream().map(Revenue::amount).reduce(Money.zero(USD), Money::plus);
        for (String tenant : TENANTS) {
            Money charged = world.events().stream()
                    .filter(r -> r.tenant().equals(tenant))
                    .map(Revenue::amount)
                    .reduce(Money.zero(USD), Money::plus);
            assertThat(ledger.balance(Account.tenantReceivable(tenant))).isEqualTo(charged);
        }
        assertThat(TENANTS.stream().map(t -> ledger.balance(Account.revenue(t))).reduce(Money.zero(USD), Money::plus))
                .isEqualTo(revenue.negate());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void inAnyArrivalOrderEachRequestNetsTheShareOfTheSpecification(long seed) {
        World world = world(seed);
        Map<String, Map<String, Money>> expected = expectedShares(world);

        assertThat(shares(settle(world, world.events()).ledger()))
                .as("in order")
                .isEqualTo(expected);
        List<Revenue> shuffled = shuffled(world.events(), new SplittableRandom(seed));
        assertThat(shares(settle(world, shuffled).ledger())).as("shuffled").isEqualTo(expected);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aCapIsNeverExceededAndTheCrossingRequestIsSplitExactlyAtIt(long seed) {
        World world = world(seed);
        List<Revenue> shuffled = shuffled(world.events(), new SplittableRandom(seed + 1));
        Map<String, Map<String, Money>> shares = shares(settle(world, shuffled).ledger());
        for (Agreement a : world.agreements()) {
            Map<String, Money> byRequest = shares.getOrDefault(a.id(), Map.of());
            Money cumulative = Money.zero(USD);
            for (Revenue r : world.events()) {
                Money share = byRequest.get(r.requestId());
                if (share == null) {
                    continue;
                }
                Agreement.Terms terms = a.termsAt(r.time()).orElseThrow();
                Money full = r.amount().times(terms.rate());
                Money before = cumulative;
                cumulative = cumulative.plus(share);
                assertThat(share.signum()).isGreaterThanOrEqualTo(0);
                if (terms.cap().isEmpty()) {
                    assertThat(share).isEqualTo(full);
                    continue;
                }
                Money cap = terms.cap().get();
                if (share.signum() > 0) {
                    assertThat(cumulative)
                            .as("seed %d %s %s", seed, a.id(), r.requestId())
                            .isLessThanOrEqualTo(cap);
                }
                if (share.compareTo(full) < 0) {
                    // Short of the full share only because the cap was reached, and then exactly at it.
                    assertThat(cumulative.max(before))
                            .as("seed %d %s %s", seed, a.id(), r.requestId())
                            .isEqualTo(cap.max(before));
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void sharesExistExactlyForCoveredRevenueAndStopAtTheEndInstant(long seed) {
        World world = world(seed);
        Ledger ledger = settle(world, shuffled(world.events(), new SplittableRandom(seed + 2)))
                .ledger();
        Map<String, Set<String>> shared = new HashMap<>();
        for (Transaction tx : ledger.transactions()) {
            if (tx.basis() instanceof Basis.Share s) {
                shared.computeIfAbsent(s.agreement().id(), k -> new TreeSet<>()).add(tx.sourceRequestId());
            }
        }
        for (Agreement a : world.agreements()) {
            for (Revenue r : world.events()) {
                boolean inTerm = !r.time().isBefore(a.start()) && r.time().isBefore(a.end());
                boolean ended = a.amendments().stream()
                        .anyMatch(m -> m.ends() && !m.effectiveFrom().isAfter(r.time()));
                boolean covered = a.base().matches(r) && inTerm && !ended;
                assertThat(shared.getOrDefault(a.id(), Set.of()).contains(r.requestId()))
                        .as("seed %d %s %s at %s", seed, a.id(), r.requestId(), r.time())
                        .isEqualTo(covered);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aReplayedOrRetriedEventIsNeverChargedOrSharedTwice(long seed) {
        World world = world(seed);
        SplittableRandom rnd = new SplittableRandom(seed + 3);
        List<Revenue> arrivals = new ArrayList<>(world.events());
        // Retries interleaved anywhere, and a full replay of the journal at the end (a restart).
        for (int i = 0, n = rnd.nextInt(20); i < n; i++) {
            arrivals.add(rnd.nextInt(arrivals.size() + 1), pick(world.events(), rnd));
        }
        arrivals.addAll(world.events());
        Settlement once = settle(world, world.events());
        Settlement replayed = settle(world, arrivals);

        assertThat(shares(replayed.ledger())).isEqualTo(shares(once.ledger()));
        long charges = replayed.ledger().transactions().stream()
                .filter(tx -> tx.basis() instanceof Basis.Charge)
                .count();
        assertThat(charges).isEqualTo(world.events().size());
        Set<Transaction.Key> keys = new HashSet<>();
        for (Transaction tx : replayed.ledger().transactions()) {
            tx.key()
                    .ifPresent(
                            k -> assertThat(keys.add(k)).as("duplicate %s", k).isTrue());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void statementsReconcileWithTheLedgerToTheLastMicroUnit(long seed) {
        World world = world(seed);
        Ledger ledger = settle(world, shuffled(world.events(), new SplittableRandom(seed + 4)))
                .ledger();
        assertStatementsReconcile(seed, world, ledger);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void correctionsLeaveTheLedgerAsIfTheCorrectedRecordsHadBeenPostedFromTheStart(long seed) {
        World world = world(seed);
        SplittableRandom rnd = new SplittableRandom(seed + 5);
        Settlement s = settle(world, shuffled(world.events(), rnd));
        List<Revenue> corrected = new ArrayList<>(world.events());
        for (int i = 0, n = 1 + rnd.nextInt(8); i < n; i++) {
            int at = rnd.nextInt(corrected.size());
            Revenue r = corrected.get(at);
            // A new amount, and sometimes another model, region, tenant or time: any field of a record can be wrong.
            Revenue fixed = new Revenue(
                    r.requestId(),
                    rnd.nextInt(4) == 0 ? randomInstant(rnd) : r.time(),
                    rnd.nextInt(4) == 0 ? pick(TENANTS, rnd) : r.tenant(),
                    rnd.nextInt(4) == 0 ? pick(MODELS, rnd) : r.model(),
                    r.deployment(),
                    r.provider(),
                    rnd.nextInt(4) == 0 ? pick(REGIONS, rnd) : r.region(),
                    money(rnd, 50));
            s.correct(fixed);
            corrected.set(at, fixed);
        }
        corrected.sort(Comparator.comparing(Revenue::time).thenComparing(Revenue::requestId));
        World after = new World(world.agreements(), corrected);

        Map<String, Map<String, Money>> expected = expectedShares(after);
        Map<String, Map<String, Money>> actual = shares(s.ledger());
        for (Agreement a : world.agreements()) {
            Map<String, Money> want = expected.getOrDefault(a.id(), Map.of());
            actual.getOrDefault(a.id(), Map.of())
                    .forEach((request, share) -> assertThat(share)
                            .as("seed %d %s %s", seed, a.id(), request)
                            .isEqualTo(want.getOrDefault(request, Money.zero(USD))));
            assertThat(actual.getOrDefault(a.id(), Map.of())).containsAllEntriesOf(want);
        }
        for (String tenant : TENANTS) {
            Money charged = corrected.stream()
                    .filter(r -> r.tenant().equals(tenant))
                    .map(Revenue::amount)
                    .reduce(Money.zero(USD), Money::plus);
            assertThat(s.ledger().balance(Account.tenantReceivable(tenant))).isEqualTo(charged);
        }
        assertStatementsReconcile(seed, after, s.ledger());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anAmendmentSignedAfterTheFactLeavesTheLedgerAsIfItHadBeenThereFromTheStart(long seed) {
        World world = world(seed);
        SplittableRandom rnd = new SplittableRandom(seed + 6);
        Settlement s = settle(world, shuffled(world.events(), rnd));
        List<Agreement> amended = new ArrayList<>(world.agreements());
        for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
            int at = rnd.nextInt(amended.size());
            Instant from = rnd.nextBoolean()
                    ? randomInstant(rnd)
                    : pick(world.events(), rnd).time();
            Amendment amendment = switch (rnd.nextInt(3)) {
                case 0 -> Amendment.endsFrom(from);
                case 1 -> Amendment.capFrom(from, money(rnd, 100));
                default -> Amendment.rateFrom(from, rate(rnd));
            };
            s.amend(amended.get(at).id(), amendment);
            amended.set(at, amended.get(at).amended(amendment));
        }
        World after = new World(amended, world.events());
        assertThat(s.agreements()).isEqualTo(amended);

        Map<String, Map<String, Money>> expected = expectedShares(after);
        Map<String, Map<String, Money>> actual = shares(s.ledger());
        for (Agreement a : amended) {
            Map<String, Money> want = expected.getOrDefault(a.id(), Map.of());
            actual.getOrDefault(a.id(), Map.of())
                    .forEach((request, share) -> assertThat(share)
                            .as("seed %d %s %s", seed, a.id(), request)
                            .isEqualTo(want.getOrDefault(request, Money.zero(USD))));
            assertThat(actual.getOrDefault(a.id(), Map.of())).containsAllEntriesOf(want);
        }
        assertStatementsReconcile(seed, after, s.ledger());
    }

    static void assertStatementsReconcile(long seed, World world, Ledger ledger) {
        for (Party party : PARTIES) {
            for (int m = 0; m < 7; m++) {
                YearMonth month = YearMonth.of(2026, 1).plusMonths(m);
                Statement st = Statement.of(ledger, party, month);
                Money received = Money.zero(USD);
                Money owed = Money.zero(USD);
                Money base = Money.zero(USD);
                for (Transaction tx : ledger.transactions()) {
                    if (YearMonth.from(tx.time().atZone(ZoneOffset.UTC)).equals(month)) {
                        received = received.plus(tx.net(Account.receivable(party)));
                        owed = owed.minus(tx.net(Account.payable(party)));
                    }
                }
                assertThat(st.receivable())
                        .as("seed %d %s %s", seed, party.name(), month)
                        .isEqualTo(received);
                assertThat(st.payable())
                        .as("seed %d %s %s", seed, party.name(), month)
                        .isEqualTo(owed);
                for (Statement.AgreementSummary s : st.agreements()) {
                    assertThat(s.lines().stream().map(Statement.Line::share).reduce(Money.zero(USD), Money::plus))
                            .isEqualTo(s.share());
                    Money covered = world.events().stream()
                            .filter(r -> YearMonth.from(r.time().atZone(ZoneOffset.UTC))
                                    .equals(month))
                            .filter(s.agreement()::covers)
                            .map(Revenue::amount)
                            .reduce(Money.zero(USD), Money::plus);
                    assertThat(s.revenueBase()).isEqualTo(covered);
                    s.cap()
                            .ifPresent(cap -> assertThat(s.capRemaining().orElseThrow())
                                    .isEqualTo(cap.minus(s.capConsumed()).max(Money.zero(USD))));
                    base = base.plus(s.revenueBase());
                }
                assertThat(base.signum()).isGreaterThanOrEqualTo(0);
            }
        }
    }

    /** The generators must reach the interesting cases, or the properties above prove little. */
    @Test
    void theGeneratedWorldsReachCapsLateEventsAndEdges() {
        int split = 0;
        int adjustments = 0;
        int atEdges = 0;
        for (long seed = 0; seed < 200; seed++) {
            World world = world(seed);
            Ledger ledger = settle(world, shuffled(world.events(), new SplittableRandom(seed)))
                    .ledger();
            for (Transaction tx : ledger.transactions()) {
                if (tx.basis() instanceof Basis.Adjustment) {
                    adjustments++;
                }
                if (tx.basis() instanceof Basis.Share s) {
                    Money full = tx.source()
                            .amount()
                            .times(s.agreement()
                                    .termsAt(tx.time())
                                    .orElseThrow()
                                    .rate());
                    Money share = tx.net(Account.receivable(s.agreement().payee()));
                    if (share.signum() > 0 && share.compareTo(full) < 0) {
                        split++;
                    }
                }
            }
            for (Agreement a : world.agreements()) {
                atEdges += (int) world.events().stream()
                        .filter(r -> r.time().equals(a.end()) || r.time().equals(a.start()))
                        .count();
            }
        }
        assertThat(split).as("requests split at a cap").isGreaterThan(20);
        assertThat(adjustments).as("adjustments after late events").isGreaterThan(20);
        assertThat(atEdges).as("events exactly at a term edge").isGreaterThan(20);
    }

    static List<Revenue> shuffled(List<Revenue> events, SplittableRandom rnd) {
        List<Revenue> out = new ArrayList<>(events);
        for (int i = out.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Revenue t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }
}
