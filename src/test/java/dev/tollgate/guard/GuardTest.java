package dev.tollgate.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");

    private static GuardPolicy policy(int queue, Map<Verdict, Action> actions) {
        return new GuardPolicy(true, queue, actions, 2, Set.of(), Map.of());
    }

    private static byte[] harvestBody(int i) {
        ObjectNode body = JSON.createObjectNode().put("model", "frontier-1").put("logprobs", true);
        body.putArray("messages")
                .addObject()
                .put("role", "user")
                .put(
                        "content",
                        "You are an expert problem solver. Think step by step and show your full reasoning before"
                                + " the final answer. Problem " + i + ": how does topic " + (i % 7) + " relate to "
                                + (i % 11) + "?");
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Guard.Sample sample(String account, int i) {
        return new Guard.Sample(
                T0.plusSeconds(5L * i),
                account,
                "org-" + account,
                harvestBody(i),
                120,
                2400,
                1500,
                "45.1.1.1",
                "card-1",
                null);
    }

    @Test
    void offeringNeverWaitsAFullQueueDropsAndCountsTheSample() {
        Guard guard = Guard.unstarted(policy(4, Map.of()), GuardSettings.defaults(), GuardAudit.NONE);
        List<Boolean> accepted = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            accepted.add(guard.offer(sample("a", i)));
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(accepted).containsExactly(true, true, true, true, false, false, false, false, false, false);
        assertThat(elapsedMillis).isLessThan(1_000);
        Guard.Counts counts = guard.counts();
        assertThat(counts.offered()).isEqualTo(10);
        assertThat(counts.dropped()).isEqualTo(6);
        assertThat(counts.queued()).isEqualTo(4);
        guard.drain();
        assertThat(guard.counts().observed()).isEqualTo(4);
        assertThat(guard.counts().queued()).isZero();
    }

    @Test
    void theLiveFeedBuildsTheSameObservationsAsTheReplay() throws Exception {
        Guard guard = Guard.unstarted(policy(1_000, Map.of()), GuardSettings.defaults(), GuardAudit.NONE);
        Detector replay = new Detector(GuardSettings.defaults(), c -> {});
        for (int i = 0; i < 200; i++) {
            Guard.Sample s = sample("acct", i);
            guard.offer(s);
            ObjectNode line = (ObjectNode) JSON.readTree(s.body());
            line.put("ts", s.time().toString())
                    .put("account", "acct")
                    .put("org", "org-acct")
                    .put("ip", "45.1.1.1")
                    .put("payment_fp", "card-1")
                    .put("prompt_tokens", 120)
                    .put("completion_tokens", 2400)
                    .put("reasoning_tokens", 1500);
            replay.observe(Trace.observation(line));
        }
        guard.drain();
        AccountReport live = guard.detector().report("acct").orElseThrow();
        AccountReport replayed = replay.report("acct").orElseThrow();
        assertThat(live.features()).isEqualTo(replayed.features());
        assertThat(live.score()).isEqualTo(replayed.score());
        assertThat(live.verdict()).isEqualTo(replayed.verdict()).isEqualTo(Verdict.CONFIRMED);
    }

    @Test
    void anAnthropicBodyIsReadWithItsTopLevelSystemPrompt() throws Exception {
        Guard guard = Guard.unstarted(policy(100, Map.of()), GuardSettings.defaults(), GuardAudit.NONE);
        String body = "{\"model\":\"claude\",\"max_tokens\":100,\"system\":[{\"type\":\"text\",\"text\":\"Generate"
                + " synthetic training data.\"}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"Explain it step by step.\"}]}]}";
        guard.offer(
                new Guard.Sample(T0, "k", "t", body.getBytes(StandardCharsets.UTF_8), 20, 200, 0, null, null, null));
        guard.drain();
        Map<String, Double> f = guard.detector().report("k").orElseThrow().features();
        assertThat(f.get("cot_phrasing")).isGreaterThan(0.5);
        assertThat(f.get("datagen_phrasing")).isGreaterThan(0.5);
        assertThat(f.get("single_turn")).isEqualTo(1.0);
    }

    @Test
    void eachVerdictGetsItsTenantsActionAndAThrottledAccountPassesAFewRequestsAMinute() {
        GuardPolicy p = new GuardPolicy(
                true,
                100,
                Map.of(Verdict.SUSPECT, Action.THROTTLE, Verdict.CONFIRMED, Action.BLOCK),
                2,
                Set.of(),
                Map.of("lenient", new GuardPolicy.TenantGuard(Map.of(Verdict.CONFIRMED, Action.FLAG), Set.of())));
        List<GuardAudit.Entry> stored = new ArrayList<>();
        GuardAudit audit = new GuardAudit() {
            @Override
            public void append(List<Entry> entries) {
                stored.addAll(entries);
            }

            @Override
            public List<Entry> history(String account, int limit) {
                return stored;
            }
        };
        Guard guard = Guard.unstarted(p, GuardSettings.defaults(), audit);
        assertThat(guard.check("any", "x")).isNull();

        guard.override("x", Verdict.SUSPECT, "test", T0);
        assertThat(guard.check("any", "x")).isNull();
        assertThat(guard.check("any", "x")).isNull();
        Guard.Refusal throttled = guard.check("any", "x");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.code()).isEqualTo("account_throttled");
        assertThat(throttled.retryAfterSeconds()).isBetween(1L, 60L);

        guard.override("x", Verdict.CONFIRMED, "test", T0);
        assertThat(guard.check("any", "x").code()).isEqualTo("account_blocked");
        assertThat(guard.check("any", "x").status()).isEqualTo(403);
        assertThat(guard.check("lenient", "x")).isNull();
        assertThat(p.action("any", Verdict.WATCH)).isEqualTo(Action.FLAG);
        assertThat(p.action("any", Verdict.CLEAR)).isNull();

        assertThat(stored)
                .extracting(GuardAudit.Entry::to, GuardAudit.Entry::action)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Verdict.SUSPECT, Action.THROTTLE),
                        org.assertj.core.groups.Tuple.tuple(Verdict.CONFIRMED, Action.BLOCK));
        assertThat(guard.counts().refusals()[Action.THROTTLE.ordinal()]).isEqualTo(1);
        assertThat(guard.counts().refusals()[Action.BLOCK.ordinal()]).isEqualTo(2);
    }

    @Test
    void allowlistingABlockedAccountLetsItsNextRequestThroughWithoutWaitingForAnObservation() {
        Guard guard = Guard.unstarted(
                policy(1_000, Map.of(Verdict.SUSPECT, Action.BLOCK, Verdict.CONFIRMED, Action.BLOCK)),
                GuardSettings.defaults(),
                GuardAudit.NONE);
        for (int i = 0; i < 100; i++) {
            guard.offer(sample("acct", i));
        }
        guard.drain();
        assertThat(guard.check("org-acct", "acct").code()).isEqualTo("account_blocked");

        guard.reconfigure(new GuardPolicy(
                true,
                1_000,
                Map.of(Verdict.SUSPECT, Action.BLOCK, Verdict.CONFIRMED, Action.BLOCK),
                2,
                Set.of("org-acct"),
                Map.of()));
        assertThat(guard.check("org-acct", "acct")).isNull();
        assertThat(guard.detector().report("acct").orElseThrow().reasons())
                .first()
                .isEqualTo("allowlisted");
    }

    @Test
    void operatorOverridesSurviveARestartUnlessLifted() {
        List<GuardAudit.Entry> trail = new ArrayList<>();
        GuardAudit audit = new GuardAudit() {
            @Override
            public void append(List<Entry> entries) {
                trail.addAll(entries);
            }

            @Override
            public List<Entry> history(String account, int limit) {
                return trail;
            }

            @Override
            public List<Entry> overrides() {
                java.util.Map<String, Entry> newest = new java.util.LinkedHashMap<>();
                trail.stream().filter(e -> e.cause().startsWith("operator")).forEach(e -> newest.put(e.account(), e));
                return List.copyOf(newest.values());
            }
        };
        GuardPolicy blockConfirmed = policy(100, Map.of(Verdict.CONFIRMED, Action.BLOCK));
        Guard first = Guard.start(blockConfirmed, GuardSettings.defaults(), audit);
        first.override("held", Verdict.CONFIRMED, "shared card with a campaign", T0);
        first.override("freed", Verdict.CONFIRMED, "mistake", T0);
        first.override("freed", null, "lifted: a researcher", T0.plusSeconds(1));
        first.close();

        Guard second = Guard.start(blockConfirmed, GuardSettings.defaults(), audit);
        assertThat(second.check("t", "held").code()).isEqualTo("account_blocked");
        assertThat(second.check("t", "freed")).isNull();
        second.close();
        assertThat(trail).hasSize(3);
    }

    @Test
    void aDisabledGuardTakesNothingAndClosingObservesWhatIsQueued() {
        Guard off = Guard.unstarted(
                new GuardPolicy(false, 10, Map.of(), 1, Set.of(), Map.of()), GuardSettings.defaults(), GuardAudit.NONE);
        assertThat(off.offer(sample("a", 0))).isFalse();
        assertThat(off.counts().offered()).isZero();

        Guard on = Guard.start(policy(1_000, Map.of()), GuardSettings.defaults(), GuardAudit.NONE);
        for (int i = 0; i < 300; i++) {
            on.offer(sample("a", i));
        }
        on.close();
        assertThat(on.counts().observed()).isEqualTo(300);
        assertThat(on.offer(sample("a", 301))).isFalse();
    }
}
