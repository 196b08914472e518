package dev.tollgate.price;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.wire.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Currency;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PriceCatalogueTest {
    private static final Currency USD = Currency.getInstance("USD");
    private static final Instant JULY = Instant.parse("2026-07-15T12:00:00Z");

    private static Price price(String deployment, String from, String input, String output) {
        return new Price(
                "chat",
                deployment,
                USD,
                LocalDate.parse(from),
                new BigDecimal(input),
                new BigDecimal(output),
                null,
                null,
                null);
    }

    @Test
    void eachTokenClassIsPricedOnceAtItsOwnRate() {
        Price p = new Price(
                "chat",
                null,
                USD,
                LocalDate.EPOCH,
                new BigDecimal("0.15"),
                new BigDecimal("0.60"),
                new BigDecimal("0.075"),
                new BigDecimal("2.40"),
                null);
        // 1000 prompt tokens of which 200 cached; 500 completion tokens of which 100 reasoning.
        Cost cost = PriceCatalogue.cost(p, false, new Usage(1000, 500, 200, 100));

        BigDecimal expected = new BigDecimal("800")
                .multiply(new BigDecimal("0.15"))
                .add(new BigDecimal("200").multiply(new BigDecimal("0.075")))
                .add(new BigDecimal("400").multiply(new BigDecimal("0.60")))
                .add(new BigDecimal("100").multiply(new BigDecimal("2.40")))
                .movePointLeft(6);
        assertThat(cost.currency()).isEqualTo("USD");
        assertThat(BigDecimal.valueOf(cost.micros(), 6)).isEqualByComparingTo(expected);
    }

    @Test
    void cachedAndReasoningTokensWithoutTheirOwnPriceCostAsOrdinaryInputAndOutput() {
        Price p = price(null, "2026-01-01", "3", "15");
        Usage withParts = new Usage(1000, 500, 200, 100);
        Usage plain = new Usage(1000, 500, 0, 0);

        assertThat(PriceCatalogue.cost(p, false, withParts)).isEqualTo(PriceCatalogue.cost(p, false, plain));
    }

    @Test
    void embeddingsUseThePerTokenPriceWhenGiven() {
        Price p = new Price(
                "embed",
                null,
                USD,
                LocalDate.EPOCH,
                new BigDecimal("0.10"),
                null,
                null,
                null,
                new BigDecimal("0.00000002"));
        assertThat(PriceCatalogue.cost(p, true, new Usage(50_000, 0, 0, 0)).micros())
                .isEqualTo(BigDecimal.valueOf(50_000)
                        .multiply(new BigDecimal("0.00000002"))
                        .movePointRight(6)
                        .longValueExact());
        // A chat request of the same model is priced per million input tokens.
        assertThat(PriceCatalogue.cost(p, false, new Usage(50_000, 0, 0, 0)).micros())
                .isEqualTo(BigDecimal.valueOf(50_000)
                        .multiply(new BigDecimal("0.10"))
                        .longValueExact());
    }

    @Test
    void roundsOnceHalfEvenToMicroUnits() {
        Price half = price(null, "2026-01-01", "0.5", "0");
        // n tokens at 0.5 per million cost n/2 micro-units: halves go to the even neighbour.
        assertThat(PriceCatalogue.cost(half, false, new Usage(1, 0, 0, 0)).micros())
                .isZero();
        assertThat(PriceCatalogue.cost(half, false, new Usage(3, 0, 0, 0)).micros())
                .isEqualTo(2);
        assertThat(PriceCatalogue.cost(half, false, new Usage(5, 0, 0, 0)).micros())
                .isEqualTo(2);
        assertThat(PriceCatalogue.cost(half, false, new Usage(7, 0, 0, 0)).micros())
                .isEqualTo(4);
    }

    @Test
    void randomUsageIsPricedToTheExactSumRoundedOnce() {
        SplittableRandom random = new SplittableRandom(20261128L);
        for (int i = 0; i < 2_000; i++) {
            BigDecimal in = BigDecimal.valueOf(random.nextLong(0, 100_000_000), random.nextInt(0, 8));
            BigDecimal out = BigDecimal.valueOf(random.nextLong(0, 100_000_000), random.nextInt(0, 8));
            Price p = new Price("chat", null, USD, LocalDate.EPOCH, in, out, null, null, null);
            long prompt = random.nextLong(0, 2_000_000);
            long completion = random.nextLong(0, 200_000);
            Cost cost = PriceCatalogue.cost(p, false, new Usage(prompt, completion, 0, 0));

            BigDecimal exact = BigDecimal.valueOf(prompt)
                    .multiply(in)
                    .add(BigDecimal.valueOf(completion).multiply(out))
                    .movePointLeft(6);
            BigDecimal charged = BigDecimal.valueOf(cost.micros(), 6);
            assertThat(charged.subtract(exact).abs()).isLessThanOrEqualTo(new BigDecimal("0.0000005"));
            assertThat(charged).isEqualTo(exact.setScale(6, RoundingMode.HALF_EVEN));
        }
    }

    @Test
    void aDeploymentPriceWinsOverTheModelPriceAndTheLatestStartedPriceWins() {
        PriceCatalogue catalogue = new PriceCatalogue(List.of(
                price(null, "2026-01-01", "1", "1"),
                price(null, "2026-07-01", "2", "2"),
                price(null, "2026-08-01", "3", "3"),
                price("sim-b/chat", "2026-02-01", "5", "5"),
                price("sim-b/chat", "2026-12-01", "6", "6")));

        assertThat(catalogue.priceOf("chat", "sim-a/chat", JULY).inputPerMillion())
                .isEqualByComparingTo("2");
        assertThat(catalogue
                        .priceOf("chat", "sim-a/chat", Instant.parse("2026-06-30T23:59:59Z"))
                        .inputPerMillion())
                .isEqualByComparingTo("1");
        assertThat(catalogue.priceOf("chat", "sim-b/chat", JULY).inputPerMillion())
                .isEqualByComparingTo("5");
        assertThat(catalogue
                        .priceOf("chat", "sim-b/chat", Instant.parse("2026-01-15T00:00:00Z"))
                        .inputPerMillion())
                .isEqualByComparingTo("1");
        assertThat(catalogue.priceOf("chat", null, JULY).inputPerMillion()).isEqualByComparingTo("2");
    }

    @Test
    void aModelWithoutAPriceInEffectCostsNothingInNoCurrency() {
        PriceCatalogue catalogue = new PriceCatalogue(List.of(price(null, "2027-01-01", "1", "1")));

        assertThat(catalogue.cost("chat", null, false, new Usage(10, 10, 0, 0), JULY))
                .isEqualTo(Cost.NONE);
        assertThat(catalogue.cost("other", null, false, new Usage(10, 10, 0, 0), JULY))
                .isEqualTo(Cost.NONE);
    }
}
