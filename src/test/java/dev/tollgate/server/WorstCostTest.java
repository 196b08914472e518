package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.price.Cost;
import dev.tollgate.price.Price;
import dev.tollgate.price.PriceCatalogue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worst expected cost reserved before a request is sent, and the output allowance it is priced with. */
class WorstCostTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Currency USD = Currency.getInstance("USD");

    private static Price price(String deployment, String in, String out) {
        return new Price(
                "chat",
                deployment,
                USD,
                LocalDate.parse("2026-01-01"),
                new BigDecimal(in),
                new BigDecimal(out),
                null,
                null,
                null);
    }

    @Test
    void theModelsGeneralPriceIsUsedAndOtherwiseTheDearestDeploymentPrice() {
        PriceCatalogue general = new PriceCatalogue(List.of(price(null, "2", "8"), price("a/x", "100", "100")));
        assertThat(WorstCost.of(general, "chat", 1_000, 500, NOW)).isEqualTo(new Cost(6_000, "USD"));

        PriceCatalogue perDeployment = new PriceCatalogue(List.of(price("a/x", "1", "1"), price("b/y", "3", "3")));
        assertThat(WorstCost.of(perDeployment, "chat", 1_000, 1_000, NOW)).isEqualTo(new Cost(6_000, "USD"));

        assertThat(WorstCost.of(general, "unpriced", 1_000, 1_000, NOW)).isEqualTo(Cost.NONE);
        assertThat(WorstCost.of(PriceCatalogue.EMPTY, "chat", 1_000, 1_000, NOW))
                .isEqualTo(Cost.NONE);
    }

    @Test
    void theOutputAllowanceIsTheCallersLargestLimitOrTheDefault() {
        assertThat(allowance("{\"model\":\"m\",\"max_tokens\":300,\"messages\":[]}"))
                .isEqualTo(300);
        assertThat(allowance("{\"max_completion_tokens\":70,\"max_tokens\":20}"))
                .isEqualTo(70);
        assertThat(allowance("{\"max_output_tokens\":5}")).isEqualTo(5);
        assertThat(allowance("{\"messages\":[{\"max_tokens\":9}]}")).isEqualTo(OutputAllowance.DEFAULT);
        assertThat(allowance("not json")).isEqualTo(OutputAllowance.DEFAULT);
    }

    private static long allowance(String body) {
        return OutputAllowance.maxOutputTokens(body.getBytes(StandardCharsets.UTF_8));
    }
}
