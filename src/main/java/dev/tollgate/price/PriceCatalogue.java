package dev.tollgate.price;

import dev.tollgate.settle.Money;
import dev.tollgate.wire.Usage;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configured price, looked up by model, deployment and time.
 *
 * <p>Which price applies to a request: among the prices of its model whose {@code effective_from} day (UTC) has begun,
 * one limited to the serving deployment wins over one for the whole model; among those, the latest start wins.
 *
 * <p>How a cost is computed: each token class times its price is added up exactly in {@link BigDecimal} (no binary
 * floating point anywhere), the sum is divided by one million exactly, and the result is rounded once, HALF_EVEN, to
 * micro-units with {@link Money#rounded}: the ledger's one rounding rule, applied once per request.
 */
public final class PriceCatalogue {
    public static final PriceCatalogue EMPTY = new PriceCatalogue(List.of());

    private static final Comparator<Price> NEWEST_FIRST =
            Comparator.comparing(Price::effectiveFrom).reversed();

    /** Per model: deployment-specific prices first, each group newest first. */
    private final Map<String, List<Price>> byModel;

    private final List<Price> all;

    public PriceCatalogue(List<Price> prices) {
        this.all = List.copyOf(prices);
        Map<String, List<Price>> grouped = new HashMap<>();
        for (Price p : prices) {
            grouped.computeIfAbsent(p.model(), k -> new ArrayList<>()).add(p);
        }
        Map<String, List<Price>> sorted = new HashMap<>();
        grouped.forEach((model, list) -> {
            list.sort(Comparator.comparing((Price p) -> !p.forDeployment()).thenComparing(NEWEST_FIRST));
            sorted.put(model, List.copyOf(list));
        });
        this.byModel = Map.copyOf(sorted);
    }

    public List<Price> prices() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    /** The price for a request of {@code model} served by {@code deployment} (may be null) at {@code at}, or null. */
    public Price priceOf(String model, String deployment, Instant at) {
        List<Price> candidates = byModel.get(model);
        if (candidates == null) {
            return null;
        }
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        for (Price p : candidates) {
            if ((!p.forDeployment() || p.deployment().equals(deployment))
                    && !p.effectiveFrom().isAfter(day)) {
                return p;
            }
        }
        return null;
    }

    /** The cost of one request, or {@link Cost#NONE} when its model has no price in effect. */
    public Cost cost(String model, String deployment, boolean embedding, Usage usage, Instant at) {
        Price price = priceOf(model, deployment, at);
        return price == null ? Cost.NONE : cost(price, embedding, usage);
    }

    /** The cost of {@code usage} at {@code price}, rounded once to micro-units. */
    public static Cost cost(Price price, boolean embedding, Usage usage) {
        BigDecimal exact = exactCost(price, embedding, usage);
        Money money = Money.rounded(price.currency(), exact);
        return new Cost(
                money.amount().unscaledValue().longValueExact(),
                price.currency().getCurrencyCode());
    }

    /** The unrounded cost, in currency units. */
    static BigDecimal exactCost(Price price, boolean embedding, Usage usage) {
        if (embedding && price.embeddingPerToken() != null) {
            return BigDecimal.valueOf(usage.promptTokens()).multiply(price.embeddingPerToken());
        }
        // Cached tokens are part of the prompt and reasoning tokens part of the completion: each token is priced once.
        long cached = Math.min(Math.max(0, usage.cachedTokens()), usage.promptTokens());
        long reasoning = Math.min(Math.max(0, usage.reasoningTokens()), usage.completionTokens());
        BigDecimal perMillion = BigDecimal.valueOf(usage.promptTokens() - cached)
                .multiply(price.inputPerMillion())
                .add(BigDecimal.valueOf(cached).multiply(price.cachedInput()))
                .add(BigDecimal.valueOf(usage.completionTokens() - reasoning).multiply(price.outputPerMillion()))
                .add(BigDecimal.valueOf(reasoning).multiply(price.reasoning()));
        return perMillion.movePointLeft(6);
    }

    /** Two catalogues are equal when they hold the same prices in the same order, as configurations compare. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PriceCatalogue other && all.equals(other.all);
    }

    @Override
    public int hashCode() {
        return all.hashCode();
    }

    @Override
    public String toString() {
        return "PriceCatalogue" + all;
    }
}
