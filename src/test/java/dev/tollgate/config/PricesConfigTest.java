package dev.tollgate.config;

import static dev.tollgate.config.ConfigLoaderTest.MINIMAL;
import static dev.tollgate.config.ConfigLoaderTest.onlyProblemOf;
import static dev.tollgate.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.price.Price;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Currency;
import org.junit.jupiter.api.Test;

class PricesConfigTest {
    @Test
    void readsPricesPerModelAndDeploymentExactlyAsWritten() throws Exception {
        GatewayConfig config = parse(MINIMAL + """
                prices:
                  chat-small:
                    - {currency: USD, effective_from: 2026-01-01, input_per_million: 0.15, output_per_million: 0.60,
                       cached_input_per_million: 0.075, reasoning_per_million: 1.2}
                    - deployment: sim-a/sim-chat
                      currency: EUR
                      effective_from: "2026-06-01"
                      input_per_million: 0.1
                      output_per_million: 0.3
                """);

        assertThat(config.billing().prices().prices())
                .containsExactly(
                        new Price(
                                "chat-small",
                                null,
                                Currency.getInstance("USD"),
                                LocalDate.parse("2026-01-01"),
                                new BigDecimal("0.15"),
                                new BigDecimal("0.6"),
                                new BigDecimal("0.075"),
                                new BigDecimal("1.2"),
                                null),
                        new Price(
                                "chat-small",
                                "sim-a/sim-chat",
                                Currency.getInstance("EUR"),
                                LocalDate.parse("2026-06-01"),
                                new BigDecimal("0.1"),
                                new BigDecimal("0.3"),
                                null,
                                null,
                                null));
    }

    @Test
    void aFileWithoutPricesHasAnEmptyCatalogue() throws Exception {
        assertThat(parse(MINIMAL).billing().prices().isEmpty()).isTrue();
    }

    @Test
    void anUnknownFieldInAPriceIsRejectedWithItsPosition() {
        ConfigProblem problem = onlyProblemOf(MINIMAL + """
                prices:
                  chat-small:
                    - {currency: USD, input_per_million: 1, output_per_millon: 2}
                """);

        assertThat(problem.line()).isEqualTo(8);
        assertThat(problem.column()).isEqualTo(45);
        assertThat(problem.field()).isEqualTo("prices.chat-small[0].output_per_millon");
        assertThat(problem.message()).contains("unknown field").contains("output_per_million");
    }

    @Test
    void aPriceForAnUnknownModelOrDeploymentIsRejected() {
        ConfigProblem model = onlyProblemOf(MINIMAL + """
                prices:
                  chat-large: [{currency: USD, input_per_million: 1}]
                """);
        assertThat(model.line()).isEqualTo(7);
        assertThat(model.field()).isEqualTo("prices.chat-large");
        assertThat(model.message()).contains("unknown model 'chat-large'").contains("chat-small");

        ConfigProblem deployment = onlyProblemOf(MINIMAL + """
                prices:
                  chat-small: [{deployment: sim-b/sim-chat, currency: USD, input_per_million: 1}]
                """);
        assertThat(deployment.line()).isEqualTo(7);
        assertThat(deployment.field()).isEqualTo("prices.chat-small[0].deployment");
        assertThat(deployment.message()).contains("sim-a/sim-chat");
    }

    @Test
    void currenciesDatesAndAmountsAreChecked() {
        assertThat(onlyProblemOf(MINIMAL + "prices: {chat-small: [{currency: usd, input_per_million: 1}]}\n")
                        .message())
                .contains("ISO 4217");
        assertThat(onlyProblemOf(MINIMAL
                                + "prices: {chat-small: [{currency: USD, effective_from: 2026-13-01,"
                                + " input_per_million: 1}]}\n")
                        .field())
                .isEqualTo("prices.chat-small[0].effective_from");
        assertThat(onlyProblemOf(MINIMAL + "prices: {chat-small: [{currency: USD, input_per_million: -1}]}\n")
                        .message())
                .contains("at least 0");
        assertThat(onlyProblemOf(MINIMAL + "prices: {chat-small: [{currency: USD, input_per_million: cheap}]}\n")
                        .message())
                .contains("decimal");
        assertThat(onlyProblemOf(MINIMAL + "prices: {chat-small: [{currency: USD}]}\n")
                        .message())
                .contains("no price given");
    }

    @Test
    void twoPricesForTheSameDeploymentAndDayAreRejected() {
        ConfigProblem problem = onlyProblemOf(MINIMAL + """
                prices:
                  chat-small:
                    - {currency: USD, effective_from: 2026-01-01, input_per_million: 1}
                    - {currency: USD, effective_from: 2026-01-01, input_per_million: 2}
                """);

        assertThat(problem.line()).isEqualTo(9);
        assertThat(problem.message()).contains("line 8");
    }
}
