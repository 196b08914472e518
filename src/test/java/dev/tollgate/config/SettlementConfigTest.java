package dev.tollgate.config;

import static dev.tollgate.config.ConfigLoaderTest.onlyProblemOf;
import static dev.tollgate.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.settle.Agreement;
import dev.tollgate.settle.Amendment;
import dev.tollgate.settle.Money;
import dev.tollgate.settle.Party;
import dev.tollgate.settle.RevenueBase;
import dev.tollgate.settle.SettlementTerms;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettlementConfigTest {
    /** The agreements of the docs/billing.md worked example, as a configuration file. */
    static final String WORKED_EXAMPLE = """
            listen: 127.0.0.1:8080
            providers:
              modelco: {type: openai, base_url: http://127.0.0.1:19101/v1}
              cloudco: {type: openai, base_url: http://127.0.0.1:19102/v1}
            models:
              frontier-1: [{provider: modelco, model: f1}, {provider: cloudco, model: f1}]
              frontier-mini: [{provider: modelco, model: fm}, {provider: cloudco, model: fm}]
            settlement:
              currency: USD
              parties:
                modelco: {role: model_owner}
                cloudco: {role: cloud}
              agreements:
                owner-to-cloud:
                  payer: modelco
                  payee: cloudco
                  revenue_base: {models: [frontier-1, frontier-mini], providers: [modelco]}
                  rate: 0.20
                  cap: 38000
                  start: 2025-01-01
                  end: 2031-01-01
                cloud-to-owner:
                  payer: cloudco
                  payee: modelco
                  revenue_base: {models: [frontier-1, frontier-mini], providers: [cloudco]}
                  rate: 0.20
                  start: 2025-01-01
                  end: 2031-01-01
                  amendments:
                    - {effective_from: 2026-04-27, ends: true}
            """;

    @Test
    void theWorkedExampleAgreementsBindToTheDomainAgreements() throws Exception {
        SettlementTerms terms = parse(WORKED_EXAMPLE).settlement();
        Party owner = new Party("modelco", Party.Role.MODEL_OWNER);
        Party cloud = new Party("cloudco", Party.Role.CLOUD);
        RevenueBase models = RevenueBase.models("frontier-1", "frontier-mini");
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        Instant end = Instant.parse("2031-01-01T00:00:00Z");
        assertThat(terms.agreements())
                .containsExactly(
                        Agreement.of(
                                "owner-to-cloud",
                                owner,
                                cloud,
                                models.withProviders("modelco"),
                                new BigDecimal("0.2"),
                                Optional.of(Money.of("USD", "38000")),
                                start,
                                end),
                        Agreement.of(
                                        "cloud-to-owner",
                                        cloud,
                                        owner,
                                        models.withProviders("cloudco"),
                                        new BigDecimal("0.2"),
                                        Optional.empty(),
                                        start,
                                        end)
                                .amended(Amendment.endsFrom(Instant.parse("2026-04-27T00:00:00Z"))));
        assertThat(terms.parties()).containsOnlyKeys("modelco", "cloudco");
        assertThat(terms.currency().getCurrencyCode()).isEqualTo("USD");
    }

    @Test
    void aFileWithoutSettlementSettlesNothing() throws Exception {
        assertThat(parse(ConfigLoaderTest.MINIMAL).settlement().enabled()).isFalse();
    }

    @Test
    void anUnknownPartyIsReportedAtItsLineAndColumn() {
        ConfigProblem p = onlyProblemOf(WORKED_EXAMPLE.replace("payee: cloudco", "payee: clodco"));
        assertThat(p.line()).isEqualTo(16);
        assertThat(p.column()).isEqualTo(14);
        assertThat(p.field()).isEqualTo("settlement.agreements.owner-to-cloud.payee");
        assertThat(p.message()).contains("unknown party 'clodco'");
    }

    @Test
    void aModelOutsideTheFileInARevenueBaseIsAnError() {
        ConfigProblem p = onlyProblemOf(WORKED_EXAMPLE.replace(
                "models: [frontier-1, frontier-mini], providers: [modelco]",
                "models: [frontier-2], providers: [modelco]"));
        assertThat(p.field()).isEqualTo("settlement.agreements.owner-to-cloud.revenue_base.models");
        assertThat(p.message()).contains("unknown model 'frontier-2'");
    }

    @Test
    void aRateAboveOneAnUnknownFieldAndAnEmptyAmendmentAreErrors() {
        assertThat(onlyProblemOf(WORKED_EXAMPLE.replace("rate: 0.20\n      cap", "rate: 20\n      cap"))
                        .message())
                .contains("fraction from 0 to 1");
        assertThat(onlyProblemOf(WORKED_EXAMPLE.replace("cap: 38000", "cap: 38000\n      kap: 1"))
                        .field())
                .isEqualTo("settlement.agreements.owner-to-cloud.kap");
        assertThat(onlyProblemOf(WORKED_EXAMPLE.replace("ends: true", "ends: false"))
                        .message())
                .contains("an amendment changes something");
        assertThat(onlyProblemOf(WORKED_EXAMPLE.replace("end: 2031-01-01\n    cloud", "end: 2024-01-01\n    cloud"))
                        .message())
                .contains("must end after it starts");
    }

    @Test
    void regionsAndTenantsAreFreeNames() throws Exception {
        SettlementTerms terms = parse(WORKED_EXAMPLE.replace(
                        "providers: [modelco]}", "providers: [modelco], regions: [eu-west], tenants: [acme]}"))
                .settlement();
        assertThat(terms.agreements().get(0).base().regions()).isEqualTo(Set.of("eu-west"));
        assertThat(terms.agreements().get(0).base().tenants())
                .isEqualTo(List.of("acme").stream().collect(java.util.stream.Collectors.toSet()));
    }
}
