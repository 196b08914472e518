package dev.tollgate.config;

import static dev.tollgate.config.ConfigLoaderTest.MINIMAL;
import static dev.tollgate.config.ConfigLoaderTest.onlyProblemOf;
import static dev.tollgate.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.admit.Budget;
import dev.tollgate.admit.RateLimit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code payment}, {@code budgets}, {@code key_budgets} and {@code projects} of a tenant. */
class CreditsConfigTest {
    @Test
    void readsPaymentBudgetsAndProjectsOfATenant() throws Exception {
        GatewayConfig config = parse(MINIMAL + """
                tenants:
                  acme:
                    payment: prepaid
                    budgets:
                      - {period: monthly, limit: 500, currency: USD}
                      - {period: daily, limit: 20.5, currency: USD, hard: false}
                    key_budgets: [{period: total, limit: 0.000001, currency: EUR}]
                    projects:
                      web:
                        limits: {requests_per_minute: 30}
                        budgets: [{period: daily, limit: 5, currency: USD}]
                      batch:
                  beta: {}
                """);

        TenantConfig acme = config.tenants().get("acme");
        assertThat(acme.prepaid()).isTrue();
        assertThat(acme.budgets().tenant())
                .containsExactly(
                        new Budget(Budget.Period.MONTHLY, 500_000_000, "USD", true),
                        new Budget(Budget.Period.DAILY, 20_500_000, "USD", false));
        assertThat(acme.budgets().eachKey()).containsExactly(new Budget(Budget.Period.TOTAL, 1, "EUR", true));
        assertThat(acme.projects().get("web"))
                .isEqualTo(new ProjectConfig(
                        "web",
                        new RateLimit(30, 0, 0),
                        List.of(new Budget(Budget.Period.DAILY, 5_000_000, "USD", true))));
        assertThat(acme.projects().get("batch")).isEqualTo(ProjectConfig.unlimited("batch"));
        TenantConfig beta = config.tenants().get("beta");
        assertThat(beta.prepaid()).isFalse();
        assertThat(beta.budgets().isNone()).isTrue();
        assertThat(beta.projects()).isEmpty();
    }

    @Test
    void aWrongPaymentPeriodOrLimitIsRejectedWithItsPosition() {
        ConfigProblem payment = onlyProblemOf(MINIMAL + """
                tenants:
                  acme: {payment: credit-card}
                """);
        assertThat(payment.field()).isEqualTo("tenants.acme.payment");
        assertThat(payment.line()).isEqualTo(7);
        assertThat(payment.message()).contains("prepaid or postpaid");

        ConfigProblem period = onlyProblemOf(MINIMAL + """
                tenants:
                  acme:
                    budgets: [{period: weekly, limit: 5, currency: USD}]
                """);
        assertThat(period.field()).isEqualTo("tenants.acme.budgets[0].period");
        assertThat(period.line()).isEqualTo(8);
        assertThat(period.message()).contains("daily, monthly or total");

        ConfigProblem limit = onlyProblemOf(MINIMAL + """
                tenants:
                  acme:
                    budgets: [{period: daily, limit: 0.0000001, currency: USD}]
                """);
        assertThat(limit.field()).isEqualTo("tenants.acme.budgets[0].limit");
        assertThat(limit.message()).contains("at most 6 decimals");

        ConfigProblem unknown = onlyProblemOf(MINIMAL + """
                tenants:
                  acme:
                    projects:
                      web: {budget: []}
                """);
        assertThat(unknown.field()).isEqualTo("tenants.acme.projects.web.budget");
        assertThat(unknown.message()).contains("unknown field", "budgets");
    }
}
