package dev.tollgate.config;

import static dev.tollgate.config.ConfigLoaderTest.MINIMAL;
import static dev.tollgate.config.ConfigLoaderTest.onlyProblemOf;
import static dev.tollgate.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.DeploymentAttributes;
import dev.tollgate.policy.Effect;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.Rule;
import dev.tollgate.policy.TenantAttributes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy section and the policy attributes of tenants and providers, and the problems a typo gets. */
class PolicyConfigTest {
    @Test
    void aFileWithoutAPolicyAllowsEverything() throws Exception {
        assertThat(parse(MINIMAL).policy()).isEqualTo(Policy.NONE);
    }

    @Test
    void readsTenantAttributesRulesAndModelDefaults() throws Exception {
        GatewayConfig config = parse(MINIMAL + """
                tenants:
                  acme: {country: SG, region: apac, tier: verified, sector: finance,
                         ownership: {CN: 40.5, SG: 59.5}, labels: {reseller: "yes"}}
                policy:
                  expose_rule_names: true
                  models:
                    chat-small: {default: deny, reason: Verified organisations only.}
                  deployments:
                    sim-a/sim-chat: {vendor: meta, vendor_country: US, license: llama3.1, labels: {gpu: h100}}
                  rules:
                    - name: cn-owned
                      effect: deny
                      priority: 5
                      models: [chat-small]
                      when: {tenant.ownership.CN: ">50"}
                      effective_from: 2026-12-01T08:00:00+08:00
                      reason: Not for companies mostly owned from China.
                """);

        assertThat(config.tenants().get("acme").attributes())
                .isEqualTo(new TenantAttributes(
                        "apac",
                        "verified",
                        "finance",
                        Map.of("CN", new BigDecimal("40.5"), "SG", new BigDecimal("59.5")),
                        Map.of("reseller", "yes")));
        Policy policy = config.policy();
        assertThat(policy.exposeRuleNames()).isTrue();
        assertThat(policy.defaultFor("chat-small"))
                .isEqualTo(new Policy.Default(Effect.DENY, "Verified organisations only."));
        assertThat(policy.deployments().get("sim-a/sim-chat"))
                .isEqualTo(new DeploymentAttributes("meta", "US", null, "llama3.1", Map.of("gpu", "h100")));
        Rule rule = policy.rules().getFirst();
        assertThat(rule.name()).isEqualTo("cn-owned");
        assertThat(rule.priority()).isEqualTo(5);
        assertThat(rule.effectiveFrom()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void anUnknownAttributeIsRejectedAtItsPositionListingTheKnownOnes() {
        ConfigProblem p = onlyProblemOf(MINIMAL + """
                policy:
                  rules:
                    - name: r
                      effect: deny
                      reason: no
                      when: {tenant.contry: CN}
                """);

        assertThat(p.line()).isEqualTo(11);
        assertThat(p.column()).isEqualTo(14);
        assertThat(p.field()).isEqualTo("policy.rules[0].when.tenant.contry");
        assertThat(p.message()).contains("unknown attribute").contains("tenant.country");
    }

    @Test
    void anOwnershipTestMustBeAComparisonAndAComparisonNeedsAPercentage() {
        assertThat(onlyProblemOf(MINIMAL + """
                        policy:
                          rules:
                            - {name: r, effect: deny, reason: no, when: {tenant.ownership.CN: 50}}
                        """).message()).contains("comparison");
        assertThat(onlyProblemOf(MINIMAL + """
                        policy:
                          rules:
                            - {name: r, effect: deny, reason: no, when: {tenant.country: ">50"}}
                        """).message()).contains("not a number");
    }

    @Test
    void aDenyRuleWithoutAReasonIsRejectedBecauseTheCallerMustBeToldWhy() {
        ConfigProblem p = onlyProblemOf(MINIMAL + """
                policy:
                  rules:
                    - {name: r, effect: deny, when: {tenant.country: CN}}
                """);
        assertThat(p.field()).isEqualTo("policy.rules[0].reason");
        assertThat(p.message()).contains("needs a reason");
    }

    @Test
    void ruleNamesAreUniqueAndTimesCarryAnOffsetAndEndAfterTheyStart() {
        assertThat(onlyProblemOf(MINIMAL + """
                        policy:
                          rules:
                            - {name: r, effect: allow}
                            - {name: r, effect: allow}
                        """).message()).contains("already defined at line 8");
        assertThat(onlyProblemOf(MINIMAL + """
                        policy:
                          rules:
                            - {name: r, effect: allow, effective_from: 2026-12-01}
                        """).message()).contains("with its offset");
        assertThat(onlyProblemOf(MINIMAL + """
                        policy:
                          rules:
                            - {name: r, effect: allow, effective_from: "2026-12-02T00:00:00Z",
                               effective_until: "2026-12-01T00:00:00Z"}
                        """).message()).contains("after effective_from");
    }

    @Test
    void aRuleForAnUnknownModelAndAnUnknownPolicyFieldAreRejected() {
        assertThat(onlyProblemOf(MINIMAL + """
                        policy:
                          rules:
                            - {name: r, effect: allow, models: [chat-huge]}
                        """).message()).contains("unknown model 'chat-huge'");
        ConfigProblem p = onlyProblemOf(MINIMAL + """
                policy:
                  expose_rules: true
                """);
        assertThat(p.field()).isEqualTo("policy.expose_rules");
        assertThat(p.message()).contains("expose_rule_names");
    }

    @Test
    void ownershipSharesArePercentagesAddingUpToAtMostAHundred() {
        assertThat(onlyProblemOf(MINIMAL + """
                        tenants:
                          acme: {ownership: {CN: 60, RU: 50}}
                        """).message()).contains("more than 100%");
        assertThat(onlyProblemOf(MINIMAL + """
                        tenants:
                          acme: {ownership: {china: 60}}
                        """).message()).contains("country code");
    }

    @Test
    void providerAttributesAreReadAndAVendorCountryMustBeACountryCode() throws Exception {
        GatewayConfig config = parse(MINIMAL.replace(
                "type: openai,", "type: openai, attributes: {vendor: openai, vendor_country: US, family: gpt-4o},"));
        assertThat(config.providers().values().iterator().next().attributes())
                .isEqualTo(new DeploymentAttributes("openai", "US", "gpt-4o", null, Map.of()));

        assertThat(onlyProblemOf(MINIMAL.replace("type: openai,", "type: openai, attributes: {vendor_country: usa},"))
                        .message())
                .contains("ISO 3166");
    }
}
