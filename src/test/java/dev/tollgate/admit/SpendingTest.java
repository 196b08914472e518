package dev.tollgate.admit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpendingTest {
    private static final Clock NOON = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

    private final List<String> alerts = new CopyOnWriteArrayList<>();

    private static TenantBudgets tenant(Budget... budgets) {
        return new TenantBudgets(List.of(budgets), List.of());
    }

    @Test
    void aHardBudgetRefusesTheRequestWhoseReservationWouldCrossItAndSaysWhenItRenews() {
        Spending spending = new Spending(NOON, alerts::add);
        TenantBudgets daily = tenant(new Budget(Budget.Period.DAILY, 1_000_000, "USD", true));
        Spending.Reserved first = (Spending.Reserved) spending.reserve("acme", "k1", daily, 600_000, "USD");

        Spending.Outcome second = spending.reserve("acme", "k2", daily, 600_000, "USD");

        assertThat(second).isInstanceOfSatisfying(Spending.Exhausted.class, e -> {
            assertThat(e.message())
                    .contains("daily budget of tenant 'acme' (1 USD) is used up", "0.6 spent or reserved", "next day");
            assertThat(e.retryAfterSeconds()).isEqualTo(12 * 3600);
        });
        // the first request really cost 0.25: its reservation shrinks to that, and 0.6 fits again
        first.reservation().settle(250_000);
        assertThat(spending.reserve("acme", "k2", daily, 600_000, "USD")).isInstanceOf(Spending.Reserved.class);
    }

    @Test
    void aSoftBudgetAlertsOnceAndLetsRequestsThrough() {
        Spending spending = new Spending(NOON, alerts::add);
        TenantBudgets soft = tenant(new Budget(Budget.Period.MONTHLY, 100, "USD", false));

        for (int i = 0; i < 3; i++) {
            assertThat(spending.reserve("acme", "k1", soft, 80, "USD")).isInstanceOf(Spending.Reserved.class);
        }

        assertThat(alerts).containsExactly("soft monthly budget of tenant 'acme' (0.0001 USD) crossed");
    }

    @Test
    void onlyRequestsPricedInTheBudgetsCurrencyCount() {
        Spending spending = new Spending(NOON, alerts::add);
        TenantBudgets usd = tenant(new Budget(Budget.Period.TOTAL, 100, "USD", true));

        assertThat(spending.reserve("acme", "k1", usd, 1_000, "EUR")).isInstanceOf(Spending.Reserved.class);
        assertThat(spending.reserve("acme", "k1", usd, 1_000, null)).isInstanceOf(Spending.Reserved.class);
        assertThat(spending.reserve("acme", "k1", usd, 1_000, "USD"))
                .isInstanceOfSatisfying(
                        Spending.Exhausted.class,
                        e -> assertThat(e.retryAfterSeconds()).isZero());
    }

    @Test
    void aRefusalByTheTenantReleasesWhatTheKeyReserved() {
        Spending spending = new Spending(NOON, alerts::add);
        Budget keyBudget = new Budget(Budget.Period.TOTAL, 1_000, "USD", true);
        TenantBudgets both =
                new TenantBudgets(List.of(new Budget(Budget.Period.TOTAL, 500, "USD", true)), List.of(keyBudget));

        assertThat(spending.reserve("acme", "k1", both, 600, "USD")).isInstanceOf(Spending.Exhausted.class);

        assertThat(spending.committed("key", "k1", keyBudget)).isZero();
    }

    @Test
    void aSettledReservationIsNeverChargedTwice() {
        Spending spending = new Spending(NOON, alerts::add);
        Budget total = new Budget(Budget.Period.TOTAL, 1_000_000, "USD", true);
        Spending.Reserved r = (Spending.Reserved) spending.reserve("acme", "k1", tenant(total), 500, "USD");

        r.reservation().settle(300);
        r.reservation().settle(300);
        r.reservation().settle(900);

        assertThat(spending.committed("tenant", "acme", total)).isEqualTo(300);
    }

    /**
     * Many keys of one tenant spend its hard budget from many threads at once. Each request reserves R and, the worst
     * case, really costs more: anywhere in [R, R + E] (E: the error of the estimate). The documented bound on
     * overspend is (requests in flight at once) × E; here at most one per thread is in flight.
     */
    @Test
    void concurrentRequestsAcrossManyKeysOverspendASharedTenantBudgetByAtMostInFlightTimesTheExcess() throws Exception {
        int threads = 16;
        long reserve = 1_000;
        long maxExcess = 200;
        Budget budget = new Budget(Budget.Period.TOTAL, 5_000_000, "USD", true);
        TenantBudgets budgets = tenant(budget);
        long worst = 0;
        for (int round = 0; round < 20; round++) {
            Spending spending = new Spending(NOON, alerts::add);
            AtomicLong charged = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SplittableRandom random = new SplittableRandom(round * 1000L + t);
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    int refusals = 0;
                    while (refusals < 50) {
                        String key = "key-" + random.nextInt(200);
                        if (spending.reserve("acme", key, budgets, reserve, "USD") instanceof Spending.Reserved r) {
                            long cost = reserve + random.nextLong(maxExcess + 1);
                            Thread.yield(); // let other threads reserve while this request is in flight
                            charged.addAndGet(cost);
                            r.reservation().settle(cost);
                        } else {
                            refusals++;
                        }
                    }
                }));
            }
            go.countDown();
            for (Thread w : workers) {
                w.join();
            }
            long overspend = charged.get() - budget.limitMicros();
            worst = Math.max(worst, overspend);
            assertThat(spending.committed("tenant", "acme", budget)).isEqualTo(charged.get());
            assertThat(overspend).isLessThanOrEqualTo(threads * maxExcess);
            // the budget really was reached: nothing that fit was left unspent
            assertThat(charged.get()).isGreaterThan(budget.limitMicros() - reserve - maxExcess);
        }
        System.out.printf("worst overspend over 20 rounds: %d micro-units (bound %d)%n", worst, threads * maxExcess);
    }

    @Test
    void withRealCostsWithinTheirReservationsAHardBudgetIsNeverExceeded() throws Exception {
        Budget budget = new Budget(Budget.Period.TOTAL, 1_000_000, "USD", true);
        Spending spending = new Spending(NOON, alerts::add);
        AtomicLong charged = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            SplittableRandom random = new SplittableRandom(t);
            workers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 5_000; i++) {
                    if (spending.reserve("acme", "k" + (i % 7), tenant(budget), 700, "USD")
                            instanceof Spending.Reserved r) {
                        long cost = random.nextLong(701);
                        charged.addAndGet(cost);
                        r.reservation().settle(cost);
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }

        assertThat(charged.get()).isLessThanOrEqualTo(budget.limitMicros());
    }
}
