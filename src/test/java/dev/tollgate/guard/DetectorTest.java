package dev.tollgate.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

class DetectorTest {
    private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
    private static final String TEMPLATE = "You are an expert problem solver. Solve the following problem. Think step"
            + " by step and show your full reasoning before giving the final answer. Problem: ";
    private static final String[] TOPICS = {"algebra", "orbits", "enzymes", "tariffs", "compilers", "glaciers"};

    private final List<VerdictChange> audit = new ArrayList<>();

    private static Observation harvest(String account, int i, Instant at) {
        return new Observation(
                at,
                account,
                account,
                "frontier-1",
                Prompts.mask(TEMPLATE + "How does " + TOPICS[i % TOPICS.length] + " relate to "
                        + TOPICS[(i / 6) % TOPICS.length] + " after " + i + " years?"),
                120,
                2400,
                1500,
                1,
                false,
                Double.NaN,
                true,
                false,
                "45.1.1.1",
                "card-1",
                "script");
    }

    private static Observation chat(String account, int i, Instant at) {
        return new Observation(
                at,
                account,
                account,
                "frontier-1",
                Prompts.mask("hey what's a good " + TOPICS[i % TOPICS.length] + " for my " + TOPICS[(i + 3) % 6]),
                60,
                200,
                0,
                1,
                false,
                0.7,
                i % 3 == 0,
                false,
                "10.0.0." + (i % 7),
                null,
                null);
    }

    @Test
    void aNaiveHarvestingAccountIsFlaggedWithItsReasonsAndOrdinaryChatIsNot() {
        Detector d = new Detector(GuardSettings.defaults(), audit::add);
        for (int i = 0; i < 400; i++) {
            d.observe(harvest("naive", i, T0.plusSeconds(5L * i)));
            d.observe(chat("person", i, T0.plusSeconds(5L * i + 2)));
        }
        assertThat(d.verdictOf("naive")).isEqualTo(Verdict.CONFIRMED);
        assertThat(d.verdictOf("person")).isEqualTo(Verdict.CLEAR);
        AccountReport r = d.report("naive").orElseThrow();
        assertThat(r.reasons()).anyMatch(s -> s.startsWith("cot_phrasing="));
        assertThat(r.features()).containsKeys(Detector.FEATURES.toArray(String[]::new));
        assertThat(r.firstFlaggedAt()).isNotNull();
        assertThat(audit).extracting(VerdictChange::account).contains("naive").doesNotContain("person");
    }

    @Test
    void verdictsHaveHysteresisAndConfirmedIsKeptUntilAnOperatorLiftsIt() {
        Detector d = new Detector(GuardSettings.defaults(), audit::add);
        int i = 0;
        for (; i < 400; i++) {
            d.observe(harvest("a", i, T0.plusSeconds(5L * i)));
        }
        assertThat(d.verdictOf("a")).isEqualTo(Verdict.CONFIRMED);
        for (; i < 1000; i++) {
            d.observe(chat("a", i, T0.plusSeconds(5L * i)));
        }
        assertThat(d.report("a").orElseThrow().score()).isLessThan(0.35);
        assertThat(d.verdictOf("a")).isEqualTo(Verdict.CONFIRMED);
        d.override("a", Verdict.CLEAR, "reviewed: a researcher", T0.plusSeconds(5L * i));
        assertThat(d.verdictOf("a")).isEqualTo(Verdict.CLEAR);
        assertThat(d.report("a").orElseThrow().override()).contains("reviewed");
        assertThat(audit).last().satisfies(c -> assertThat(c.cause()).startsWith("operator"));
    }

    @Test
    void aSuspectWhoseScoreFallsOnlyJustBelowTheThresholdStaysSuspect() {
        GuardSettings s = GuardSettings.defaults();
        Detector d = new Detector(s, audit::add);
        // Harvest until suspect but stop before confirmation needs are met.
        int i = 0;
        while (d.verdictOf("b") != Verdict.SUSPECT && i < 39) {
            d.observe(harvest("b", i, T0.plusSeconds(5L * i)));
            i++;
        }
        assertThat(d.verdictOf("b")).isEqualTo(Verdict.SUSPECT);
        double previous = d.report("b").orElseThrow().score();
        // A little chat lowers the score; the verdict holds while the score stays within the hysteresis band.
        while (true) {
            d.observe(chat("b", i, T0.plusSeconds(5L * i)));
            i++;
            double score = d.report("b").orElseThrow().score();
            if (score < s.suspect() - s.hysteresis()) {
                assertThat(d.verdictOf("b")).isEqualTo(Verdict.WATCH);
                break;
            }
            assertThat(d.verdictOf("b")).isEqualTo(Verdict.SUSPECT);
            assertThat(score).isLessThanOrEqualTo(previous + 0.2);
            previous = score;
        }
    }

    @Test
    void allowlistedAccountsAreNeverActedOnButKeepTheirScores() {
        Detector d = new Detector(GuardSettings.defaults().withAllowlist(Set.of("evals")), audit::add);
        for (int i = 0; i < 400; i++) {
            d.observe(harvest("evals", i, T0.plusSeconds(i)));
        }
        assertThat(d.verdictOf("evals")).isEqualTo(Verdict.CLEAR);
        AccountReport r = d.report("evals").orElseThrow();
        assertThat(r.score()).isGreaterThan(0.75);
        assertThat(r.reasons()).first().isEqualTo("allowlisted");
    }

    @Test
    void stateHasAFixedUpperSizeAndExpires() {
        GuardSettings s = GuardSettings.defaults().withCapacity(1_000, 5_000);
        Detector d = new Detector(s, audit::add);
        for (int i = 0; i < 20_000; i++) {
            d.observe(harvest("acct-" + i, i, T0.plusSeconds(i)));
        }
        Detector.Stats stats = d.stats();
        assertThat(stats.accounts()).isEqualTo(1_000);
        assertThat(stats.skeletonBuckets()).isLessThanOrEqualTo(5_000);
        assertThat(stats.fingerprints()).isLessThanOrEqualTo(5_000);
        assertThat(stats.evictions()).isGreaterThan(0);
        // Nobody seen for longer than the account time to live survives the next observation.
        d.observe(chat("late", 1, T0.plusSeconds(20_000).plus(s.accountTtl()).plus(Duration.ofDays(1))));
        assertThat(d.stats().accounts()).isEqualTo(1);
        assertThat(d.stats().skeletonBuckets()).isZero();
        assertThat(d.verdictOf("acct-19999")).isEqualTo(Verdict.CLEAR);
    }

    @Test
    void anAccountsStateDoesNotGrowWithItsTraffic() {
        Detector d = new Detector(GuardSettings.defaults(), audit::add);
        d.observe(harvest("x", 0, T0));
        long after1 = GraphLayout.parseInstance(d.state("x")).totalSize();
        for (int i = 1; i < 5_000; i++) {
            Observation o = harvest("x", i, T0.plusSeconds(i));
            // Rotating fingerprints, as a hydra would.
            d.observe(new Observation(
                    o.time(),
                    o.account(),
                    o.org(),
                    "model-" + (i % 50),
                    o.skeleton(),
                    o.promptTokens(),
                    o.completionTokens(),
                    o.reasoningTokens(),
                    2,
                    true,
                    1.0,
                    true,
                    false,
                    "ip-" + i,
                    "card-" + i,
                    "client-" + i));
        }
        long after5000 = GraphLayout.parseInstance(d.state("x")).totalSize();
        assertThat(after5000).isLessThanOrEqualTo(after1 + 1_024).isLessThan(4_096);
    }
}
