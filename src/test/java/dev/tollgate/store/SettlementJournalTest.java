package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.meter.UsageRecord;
import dev.tollgate.meter.UsageStatus;
import dev.tollgate.settle.Account;
import dev.tollgate.settle.Agreement;
import dev.tollgate.settle.Money;
import dev.tollgate.settle.Party;
import dev.tollgate.settle.RevenueBase;
import dev.tollgate.settle.SettlementTerms;
import dev.tollgate.settle.SettlementWorker;
import dev.tollgate.settle.Statement;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.wire.Usage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The settlement worker on the persisted store: once per request id, across restarts, replays and instances. */
class SettlementJournalTest {
    @TempDir
    static Path dir;

    private static final Currency USD = Currency.getInstance("USD");
    private static final Party OWNER = new Party("modelco", Party.Role.MODEL_OWNER);
    private static final Party CLOUD = new Party("cloudco", Party.Role.CLOUD);
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of("SQLite", (Function<Path, TestDatabase>) TestDatabase::sqlite),
                Arguments.of("PostgreSQL", (Function<Path, TestDatabase>) d -> TestDatabase.postgres()));
    }

    private static SettlementTerms terms(long capMicros) {
        Agreement share = Agreement.of(
                "owner-to-cloud",
                OWNER,
                CLOUD,
                RevenueBase.models("m1", "m2"),
                new BigDecimal("0.2"),
                Optional.of(Money.ofMicros(USD, capMicros)),
                START,
                Instant.parse("2026-03-01T00:00:00Z"));
        return new SettlementTerms(USD, Map.of("modelco", OWNER, "cloudco", CLOUD), List.of(share));
    }

    private static UsageRecord record(String id, Instant time, String model, long costMicros) {
        return new UsageRecord(
                id,
                time,
                "acme",
                "key_1",
                "chat",
                model,
                "sim-a",
                "sim-chat",
                "sim-a/sim-chat",
                "eu",
                new Usage(10, 20, 0, 0),
                false,
                UsageStatus.OK,
                200,
                5,
                false,
                1,
                costMicros,
                "USD");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aReplayedOrRetriedRecordIsNeverChargedTwiceAcrossRestartsAndEntriesBalanceInTheStore(
            String name, Function<Path, TestDatabase> db) throws Exception {
        try (TestDatabase database = db.apply(dir)) {
            for (long seed = 1; seed <= 8; seed++) {
                SplittableRandom random = new SplittableRandom(seed);
                String prefix = "s" + seed + "-";
                List<UsageRecord> records = new ArrayList<>();
                Map<String, Long> costs = new HashMap<>();
                for (int i = 0; i < 40 + random.nextInt(60); i++) {
                    Instant t = START.plusSeconds(random.nextLong(70L * 86_400)); // some past the term end
                    long cost = 1 + random.nextLong(3_000_000);
                    String model = random.nextInt(4) == 0 ? "other" : "m" + (1 + random.nextInt(2));
                    UsageRecord r = record(prefix + i, t, model, cost);
                    records.add(r);
                    costs.put(r.requestId(), cost);
                }
                // The same terms every run: the worker refuses a stored ledger that its terms do not replay to.
                long capMicros = 9_000_000;
                try (SqlStore store = SqlStore.open(database.location())) {
                    // Each seed is a fresh world: the ledger of earlier seeds stays, so compare movements by tenant
                    // of this seed only through the request ids' own transactions.
                    store.insertUsage(records.subList(0, records.size() / 2));
                    SettlementWorker first = new SettlementWorker(store.settlementJournal(), terms(capMicros));
                    first.settleAll();
                    // Retried and replayed: the store ignores the duplicate usage rows, the worker the settled ids.
                    store.insertUsage(records);
                    store.insertUsage(records.subList(0, records.size() / 3));
                    SettlementWorker restarted = new SettlementWorker(store.settlementJournal(), terms(capMicros));
                    restarted.settleAll();
                    assertThat(restarted.settleAll()).isZero();
                }
            }
            // After every seed: one charge per distinct request, each equal to its cost; the ledger balances.
            try (Connection c = database.connect()) {
                assertThat(scalar(c, "SELECT COUNT(*) FROM settlement_inputs WHERE kind = 'post'"))
                        .isEqualTo(scalar(c, "SELECT COUNT(*) FROM usage_records"));
                assertThat(scalar(
                                c,
                                "SELECT COUNT(*) FROM (SELECT request_id FROM ledger_transactions"
                                        + " WHERE basis = 'charge' GROUP BY request_id HAVING COUNT(*) > 1) d"))
                        .isZero();
                assertThat(scalar(c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE side = 'debit'"))
                        .isEqualTo(scalar(
                                c, "SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE side = 'credit'"));
                assertThat(scalar(
                                c,
                                "SELECT SUM(amount_micros) FROM ledger_entries e JOIN ledger_transactions t"
                                        + " ON t.id = e.tx_id WHERE t.basis = 'charge' AND e.side = 'debit'"))
                        .isEqualTo(scalar(c, "SELECT SUM(cost_micros) FROM usage_records"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void theCapIsNeverExceededInTheStoreAndTheStatementReconcilesWithIt(String name, Function<Path, TestDatabase> db)
            throws Exception {
        try (TestDatabase database = db.apply(dir);
                SqlStore store = SqlStore.open(database.location())) {
            SplittableRandom random = new SplittableRandom(42);
            List<UsageRecord> records = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                records.add(record(
                        "r" + i, START.plusSeconds(random.nextLong(58L * 86_400)), "m1", 1 + random.nextLong(900_000)));
            }
            long cap = 7_654_321;
            // Arriving in random order, in several batches: late records adjust, the cap holds.
            List<UsageRecord> shuffled = new ArrayList<>(records);
            java.util.Collections.shuffle(shuffled, new java.util.Random(7));
            SettlementWorker worker = new SettlementWorker(store.settlementJournal(), terms(cap));
            for (int i = 0; i < shuffled.size(); i += 37) {
                store.insertUsage(shuffled.subList(i, Math.min(shuffled.size(), i + 37)));
                worker.settleAll();
            }
            Money consumed =
                    store.settlementJournal().capConsumed("owner-to-cloud", USD, Instant.parse("2027-01-01T00:00:00Z"));
            long uncapped = records.stream()
                    .mapToLong(r -> Money.ofMicros(USD, r.costMicros())
                            .times(new BigDecimal("0.2"))
                            .micros())
                    .sum();
            assertThat(uncapped).isGreaterThan(cap);
            // Exactly the cap: the crossing request was split at it, late arrivals adjusted, nothing beyond.
            assertThat(consumed.micros()).isEqualTo(cap);
            for (YearMonth month : List.of(YearMonth.of(2026, 1), YearMonth.of(2026, 2))) {
                Statement s = new SettlementWorker(store.settlementJournal(), terms(cap)).statement(CLOUD, month);
                Instant from =
                        month.atDay(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
                Instant to = month.plusMonths(1)
                        .atDay(1)
                        .atStartOfDay(java.time.ZoneOffset.UTC)
                        .toInstant();
                assertThat(s.receivable())
                        .isEqualTo(store.settlementJournal().movement(Account.receivable(CLOUD), USD, from, to));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void twoInstancesSettlingAtOnceChargeEachRecordOnce(String name, Function<Path, TestDatabase> db) throws Exception {
        try (TestDatabase database = db.apply(dir);
                SqlStore a = SqlStore.open(database.location());
                SqlStore b = SqlStore.open(database.location())) {
            List<UsageRecord> records = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                records.add(record("c" + i, START.plusSeconds(i * 60L), "m2", 1_000 + i));
            }
            a.insertUsage(records);
            SettlementWorker one = new SettlementWorker(a.settlementJournal(), terms(50_000_000));
            SettlementWorker two = new SettlementWorker(b.settlementJournal(), terms(50_000_000));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (SettlementWorker w : List.of(one, two)) {
                    done.add(pool.submit((Callable<Integer>) () -> {
                        int n = 0;
                        for (int round = 0; round < 50; round++) {
                            try {
                                n += w.settleOnce();
                            } catch (Exception lostRace) {
                                // The store refused a double charge; the worker rebuilds and carries on.
                            }
                        }
                        return n;
                    }));
                }
                int settled = 0;
                for (Future<Integer> f : done) {
                    settled += f.get();
                }
                settled += one.settleAll();
                assertThat(settled).isEqualTo(records.size());
            } finally {
                pool.shutdownNow();
            }
            try (Connection c = database.connect()) {
                assertThat(scalar(c, "SELECT COUNT(*) FROM ledger_transactions WHERE basis = 'charge'"))
                        .isEqualTo(records.size());
            }
            assertThat(one.transactions()).isEqualTo(two.transactions());
        }
    }

    private static long scalar(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
