package dev.tollgate.config;

import static dev.tollgate.config.ConfigLoaderTest.MINIMAL;
import static dev.tollgate.config.ConfigLoaderTest.onlyProblemOf;
import static dev.tollgate.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.guard.Action;
import dev.tollgate.guard.GuardPolicy;
import dev.tollgate.guard.Verdict;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GuardConfigTest {
    @Test
    void withoutAGuardSectionTheGatewayObservesAndOnlyFlags() throws Exception {
        GuardPolicy guard = parse(MINIMAL).guard();
        assertThat(guard).isEqualTo(GuardPolicy.DEFAULTS);
        assertThat(guard.enabled()).isTrue();
        assertThat(guard.action("acme", Verdict.CONFIRMED)).isEqualTo(Action.FLAG);
    }

    @Test
    void readsActionsPerVerdictTheThrottleTheAllowlistAndEachTenantsOwn() throws Exception {
        GuardPolicy guard = parse(MINIMAL + """
                tenants:
                  acme:
                    guard:
                      actions: {confirmed: require_verification}
                      allow: [cfg_0123456789abcdef]
                  labs:
                guard:
                  queue: 4096
                  actions:
                    watch: flag
                    suspect: throttle
                    confirmed: block
                  throttle: {requests_per_minute: 10}
                  allow: [evals, key_42]
                """).guard();

        assertThat(guard.queueCapacity()).isEqualTo(4096);
        assertThat(guard.throttlePerMinute()).isEqualTo(10);
        assertThat(guard.action("labs", Verdict.SUSPECT)).isEqualTo(Action.THROTTLE);
        assertThat(guard.action("labs", Verdict.CONFIRMED)).isEqualTo(Action.BLOCK);
        assertThat(guard.action("acme", Verdict.CONFIRMED)).isEqualTo(Action.REQUIRE_VERIFICATION);
        assertThat(guard.action("acme", Verdict.SUSPECT)).isEqualTo(Action.THROTTLE);
        assertThat(guard.allowlist()).isEqualTo(Set.of("evals", "key_42", "cfg_0123456789abcdef"));
        assertThat(guard.tenants()).containsOnlyKeys("acme");
        assertThat(parse(MINIMAL + "guard: {enabled: false}\n").guard().enabled())
                .isFalse();
        assertThat(parse(MINIMAL + "guard: {actions: {confirmed: block}}\n")
                        .guard()
                        .actions())
                .isEqualTo(Map.of(Verdict.CONFIRMED, Action.BLOCK));
    }

    @Test
    void anUnknownActionIsRejectedWithItsPositionAndTheActionsThereAre() {
        ConfigProblem problem = onlyProblemOf(MINIMAL + """
                guard:
                  actions: {suspect: ban}
                """);

        assertThat(problem.line()).isEqualTo(7);
        assertThat(problem.column()).isEqualTo(22);
        assertThat(problem.field()).isEqualTo("guard.actions.suspect");
        assertThat(problem.message()).contains("flag, throttle, require_verification, block");
    }

    @Test
    void misspelledFieldsAreRejectedWhereTheyAre() {
        ConfigProblem verdict = onlyProblemOf(MINIMAL + """
                guard:
                  actions: {suspicious: block}
                """);
        assertThat(verdict.line()).isEqualTo(7);
        assertThat(verdict.field()).isEqualTo("guard.actions.suspicious");
        assertThat(verdict.message()).contains("unknown field").contains("watch, suspect, confirmed");

        ConfigProblem tenant = onlyProblemOf(MINIMAL + """
                tenants:
                  acme:
                    guard: {allowlist: [x]}
                """);
        assertThat(tenant.line()).isEqualTo(8);
        assertThat(tenant.field()).isEqualTo("tenants.acme.guard.allowlist");
        assertThat(tenant.message()).contains("actions, allow");

        ConfigProblem throttle = onlyProblemOf(MINIMAL + """
                guard:
                  throttle: {requests_per_minute: 0}
                """);
        assertThat(throttle.field()).isEqualTo("guard.throttle.requests_per_minute");
        assertThat(throttle.message()).contains("at least 1");
    }
}
