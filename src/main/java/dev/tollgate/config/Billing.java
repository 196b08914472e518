package dev.tollgate.config;

import dev.tollgate.price.PriceCatalogue;
import java.util.Objects;

/**
 * Everything about money in the configuration: the price catalogue ({@code prices:}).
 *
 * @param prices per model and optionally per deployment, with effective dates
 */
public record Billing(PriceCatalogue prices) {
    public static final Billing NONE = new Billing(PriceCatalogue.EMPTY);

    public Billing {
        Objects.requireNonNull(prices, "prices");
    }
}
