package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.PolicyProfiles;
import dev.tollgate.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The compliance scenarios of issue 4, written in the rule language of docs/policy.md and decided by the gate: each
 * test is a configuration an operator would write and the decisions it must produce.
 */
class PolicyScenariosTest {
    /** Three deployments of one model: a closed model in the US and in Singapore, an open-weights one in Frankfurt. */
    private static final String BASE = """
            listen: 127.0.0.1:8080
            providers:
              vendor-us: {type: openai, base_url: http://127.0.0.1:1/v1, region: us-east,
                          attributes: {vendor: frontier-ai, vendor_country: US, family: frontier-4, labels: {cloud: hyperscaler}}}
              vendor-sg: {type: openai, base_url: http://127.0.0.1:2/v1, region: ap-southeast,
                          attributes: {vendor: frontier-ai, vendor_country: US, family: frontier-4}}
              local-eu:  {type: openai, base_url: http://127.0.0.1:3/v1, region: eu-central,
                          attributes: {vendor: meta, vendor_country: US, family: llama-3.1, license: llama3.1}}
            models:
              chat:
                - {provider: vendor-us, model: frontier-4, priority: 1}
                - {provider: vendor-sg, model: frontier-4, priority: 2}
                - {provider: local-eu, model: llama-3.1-70b, priority: 3}
              frontier-5:
                - {provider: vendor-us, model: frontier-5}
            tenants:
              acme:     {country: DE, region: eu, tier: verified, ownership: {DE: 100}}
              newco:    {country: DE, region: eu, tier: unverified}
              dragon:   {country: CN, region: cn, tier: verified, ownership: {CN: 100}}
              shellco:  {country: SG, region: apac, tier: verified, ownership: {CN: 40, RU: 11, SG: 49}}
              halfco:   {country: SG, region: apac, tier: verified, ownership: {CN: 50, SG: 50}}
              hk-trade: {country: HK, region: cn, tier: verified, labels: {reseller: yes}}
            """;

    private static PolicyGate gate(String policy) throws Exception {
        GatewayConfig config = ConfigLoader.parse(BASE + policy, Path.of("tollgate.yaml"), Map.of());
        return PolicyProfiles.gate(config);
    }

    private static final List<String> CHAT =
            List.of("vendor-us/frontier-4", "vendor-sg/frontier-4", "local-eu/llama-3.1-70b");

    private static List<String> allowed(PolicyGate gate, String tenant, String model, Instant at) {
        TenantProfile t = gate.tenant(tenant, null);
        List<String> plan = model.equals("chat") ? CHAT : List.of("vendor-us/frontier-5");
        return gate.filter(t, model, plan, id -> id, at);
    }

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void aRegionCutOffAtAFutureInstantChangesNothingBeforeItAndDeniesTheClosedModelFromThatInstantOn()
            throws Exception {
        PolicyGate gate = gate("""
                policy:
                  rules:
                    - name: frontier-cn-cutoff
                      effect: deny
                      when: {tenant.country: [CN, RU], deployment.vendor: frontier-ai}
                      effective_from: 2026-12-01T00:00:00Z
                      reason: Frontier AI no longer serves organisations in China or Russia from 1 December 2026.
                """);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-30T23:59:59.999Z"));

        assertThat(allowed(gate, "dragon", "chat", clock.instant())).isEqualTo(CHAT);
        clock.advance(Duration.ofMillis(1)); // exactly 2026-12-01T00:00:00Z
        assertThat(allowed(gate, "dragon", "chat", clock.instant())).containsExactly("local-eu/llama-3.1-70b");
        assertThat(allowed(gate, "acme", "chat", clock.instant())).isEqualTo(CHAT);

        Verdict v = gate.decide(
                gate.tenant("dragon", null), "chat", gate.deployment("vendor-us/frontier-4"), clock.instant());
        assertThat(v.allowed()).isFalse();
        assertThat(v.rule()).isEqualTo("frontier-cn-cutoff");
        assertThat(v.reason()).contains("1 December 2026");
    }

    @Test
    void aRuleWithAnEndStopsApplyingAtItsEffectiveUntil() throws Exception {
        PolicyGate gate = gate("""
                policy:
                  rules:
                    - name: maintenance-window
                      effect: deny
                      when: {deployment.region: us-east}
                      effective_from: 2026-11-28T00:00:00Z
                      effective_until: 2026-11-29T00:00:00Z
                      reason: The US deployment is closed for maintenance today.
                """);

        assertThat(allowed(gate, "acme", "chat", NOW)).doesNotContain("vendor-us/frontier-4");
        assertThat(allowed(gate, "acme", "chat", Instant.parse("2026-11-29T00:00:00Z")))
                .isEqualTo(CHAT);
    }

    @Test
    void aNewModelIsRestrictedToVerifiedTenantsByAModelDefaultOfDenyAndOneAllowRule() throws Exception {
        PolicyGate gate = gate("""
                policy:
                  models:
                    frontier-5: {default: deny, reason: frontier-5 is available to verified organisations only; ask your account manager to verify yours.}
                  rules:
                    - name: frontier-5-verified
                      effect: allow
                      models: [frontier-5]
                      when: {tenant.tier: [verified, enterprise]}
                """);

        assertThat(allowed(gate, "acme", "frontier-5", NOW)).containsExactly("vendor-us/frontier-5");
        assertThat(allowed(gate, "newco", "frontier-5", NOW)).isEmpty();
        // Other models keep the policy's default (allow) for everyone.
        assertThat(allowed(gate, "newco", "chat", NOW)).isEqualTo(CHAT);

        PolicyDecision refused =
                gate.decide(gate.tenant("newco", null), "frontier-5", List.of("vendor-us/frontier-5"), NOW);
        assertThat(refused.refused()).isTrue();
        assertThat(refused.refusal(false))
                .contains("verified organisations only")
                .doesNotContain("frontier-5-verified")
                .doesNotContain("vendor-us");
        assertThat(refused.refusal(true)).contains("[default deny of model frontier-5]");
    }

    @Test
    void residencyKeepsARegionsTenantsOnDeploymentsHostedOutsideIt() throws Exception {
        // A reseller serves tenants of region "cn" only from deployments hosted outside the region.
        PolicyGate gate = gate("""
                policy:
                  deployments:
                    vendor-sg/frontier-4: {labels: {jurisdiction: cn-adjacent}}
                  rules:
                    - name: cn-served-from-outside
                      effect: deny
                      when:
                        tenant.region: cn
                        any:
                          - {deployment.region: [cn-north, cn-east]}
                          - {deployment.labels.jurisdiction: cn-adjacent}
                      reason: Organisations in mainland China and Hong Kong are served only from deployments hosted outside the region.
                """);

        assertThat(allowed(gate, "hk-trade", "chat", NOW))
                .containsExactly("vendor-us/frontier-4", "local-eu/llama-3.1-70b");
        assertThat(allowed(gate, "acme", "chat", NOW)).isEqualTo(CHAT);
    }

    @Test
    void residencyCanBeWrittenOnceForEveryRegionByComparingTheTwoRegions() throws Exception {
        PolicyGate gate = gate("""
                policy:
                  rules:
                    - name: never-in-own-region
                      effect: deny
                      when: {tenant.labels.reseller: "yes", deployment.region: {same_as: tenant.region}}
                      reason: Your contract requires deployments hosted outside your home region.
                """);
        // A reseller whose region is eu-central is kept off the Frankfurt deployment; hk-trade (region cn) has no
        // deployment in its region, so nothing is denied to it.
        TenantProfile hk = new TenantProfile(
                "hk", "HK", new TenantAttributes("eu-central", null, null, Map.of(), Map.of("reseller", "yes")));

        assertThat(gate.filter(hk, "chat", CHAT, id -> id, NOW))
                .containsExactly("vendor-us/frontier-4", "vendor-sg/frontier-4");
        assertThat(allowed(gate, "hk-trade", "chat", NOW)).isEqualTo(CHAT);
    }

    @Test
    void companiesMoreThanHalfOwnedFromRestrictedCountriesAreRefusedAndExactlyHalfIsNot() throws Exception {
        PolicyGate gate = gate("""
                policy:
                  rules:
                    - name: restricted-ownership
                      effect: deny
                      when:
                        any:
                          - {tenant.country: [CN, RU]}
                          - {tenant.ownership.CN+RU: ">50"}
                      reason: Organisations more than 50% owned from China or Russia cannot be served.
                """);

        assertThat(allowed(gate, "shellco", "chat", NOW)).isEmpty(); // 40% CN + 11% RU = 51%
        assertThat(allowed(gate, "halfco", "chat", NOW)).isEqualTo(CHAT); // exactly 50%: not more than half
        assertThat(allowed(gate, "dragon", "chat", NOW)).isEmpty();
        assertThat(allowed(gate, "acme", "chat", NOW)).isEqualTo(CHAT);
    }

    @Test
    void whenTheClosedModelBecomesForbiddenTheOpenWeightsDeploymentStillServes() throws Exception {
        PolicyGate gate = gate("""
                policy:
                  rules:
                    - name: closed-models-cut-off-for-cn
                      effect: deny
                      when: {tenant.region: cn, deployment.open_weights: "false"}
                      effective_from: 2026-12-01T00:00:00Z
                      reason: Closed-weights models are no longer available in your region; open-weights models remain.
                """);

        assertThat(allowed(gate, "dragon", "chat", NOW)).isEqualTo(CHAT);
        assertThat(allowed(gate, "dragon", "chat", Instant.parse("2026-12-01T00:00:00Z")))
                .containsExactly("local-eu/llama-3.1-70b");
        // A model with only closed deployments has nothing left: the caller is refused, with the reason.
        assertThat(allowed(gate, "dragon", "frontier-5", Instant.parse("2026-12-01T00:00:00Z")))
                .isEmpty();
    }

    @Test
    void aHigherPriorityAllowMakesAnExceptionToALaterDeny() throws Exception {
        PolicyGate gate = gate("""
                policy:
                  rules:
                    - name: cn-denied
                      effect: deny
                      priority: 50
                      when: {tenant.country: CN}
                      reason: Not available in your country.
                    - name: dragon-licensed
                      effect: allow
                      priority: 10
                      when: {tenant.name: dragon, deployment.open_weights: "true"}
                """);

        assertThat(allowed(gate, "dragon", "chat", NOW)).containsExactly("local-eu/llama-3.1-70b");
        Verdict v = gate.decide(gate.tenant("dragon", null), "chat", gate.deployment("local-eu/llama-3.1-70b"), NOW);
        assertThat(v.rule()).isEqualTo("dragon-licensed");
    }

    @Test
    void aDefaultDenyPolicyAllowsOnlyWhatARuleAllows() throws Exception {
        PolicyGate gate = gate("""
                policy:
                  default: deny
                  default_reason: This gateway serves only the EU.
                  rules:
                    - {name: eu-only, effect: allow, when: {tenant.region: eu}}
                """);

        assertThat(allowed(gate, "acme", "chat", NOW)).isEqualTo(CHAT);
        assertThat(allowed(gate, "shellco", "chat", NOW)).isEmpty();
        assertThat(gate.decide(gate.tenant("shellco", null), "chat", CHAT, NOW).refusal(false))
                .contains("serves only the EU");
    }

    @Test
    void aTenantOnlyInTheStoreIsJudgedByItsCountryAlone() throws Exception {
        PolicyGate gate = gate("""
                policy:
                  rules:
                    - {name: ru, effect: deny, when: {tenant.country: RU}, reason: Not in Russia.}
                """);

        assertThat(gate.filter(gate.tenant("stored-only", "RU"), "chat", CHAT, id -> id, NOW))
                .isEmpty();
        assertThat(gate.filter(gate.tenant("stored-only", "FR"), "chat", CHAT, id -> id, NOW))
                .isSameAs(CHAT);
    }

    @Test
    void aPlanWithNothingDeniedIsReturnedAsItIs() throws Exception {
        PolicyGate none = gate("");
        PolicyGate some = gate("""
                policy:
                  rules:
                    - {name: ru, effect: deny, when: {tenant.country: RU}, reason: Not in Russia.}
                """);

        assertThat(none.filter(none.tenant("acme", null), "chat", CHAT, id -> id, NOW))
                .isSameAs(CHAT);
        assertThat(some.filter(some.tenant("acme", null), "chat", CHAT, id -> id, NOW))
                .isSameAs(CHAT);
    }

    @Test
    void aReloadThatChangesARuleIsDescribedForTheAuditLog() throws Exception {
        PolicyGate before = gate("""
                policy:
                  rules:
                    - {name: ru, effect: deny, when: {tenant.country: RU}, reason: Not in Russia.}
                    - {name: by, effect: deny, when: {tenant.country: BY}, reason: Not in Belarus.}
                """);
        PolicyGate after = gate("""
                policy:
                  rules:
                    - {name: ru, effect: deny, when: {tenant.country: [RU, BY]}, reason: Not in Russia or Belarus.}
                    - {name: cn, effect: deny, priority: 5, when: {tenant.country: CN}, reason: Not in China.}
                """);

        assertThat(PolicyChange.between(before, after))
                .containsExactly("rule by removed", "rule cn added (deny, priority 5)", "rule ru changed");
        assertThat(PolicyChange.between(after, after)).isEmpty();
    }
}
