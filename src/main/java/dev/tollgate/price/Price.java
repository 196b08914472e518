package dev.tollgate.price;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Currency;
import java.util.Objects;

/**
 * What one model costs from a date on, as written under {@code prices:} in the configuration. Token prices are per
 * million tokens, as providers publish them; the embedding price is per token.
 *
 * @param deployment the deployment id ({@code provider/model}) this price is limited to, or null for every deployment
 *     of the model
 * @param effectiveFrom the first UTC day the price applies
 * @param cachedInputPerMillion for the cached part of the prompt; null charges it as ordinary input
 * @param reasoningPerMillion for the reasoning part of the completion; null charges it as ordinary output
 * @param embeddingPerToken for prompt tokens of embedding requests; null charges them as ordinary input
 */
public record Price(
        String model,
        String deployment,
        Currency currency,
        LocalDate effectiveFrom,
        BigDecimal inputPerMillion,
        BigDecimal outputPerMillion,
        BigDecimal cachedInputPerMillion,
        BigDecimal reasoningPerMillion,
        BigDecimal embeddingPerToken) {

    public Price {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        inputPerMillion = inputPerMillion == null ? BigDecimal.ZERO : inputPerMillion;
        outputPerMillion = outputPerMillion == null ? BigDecimal.ZERO : outputPerMillion;
    }

    /** Whether this price is for one deployment rather than for the model as a whole. */
    public boolean forDeployment() {
        return deployment != null;
    }

    BigDecimal cachedInput() {
        return cachedInputPerMillion == null ? inputPerMillion : cachedInputPerMillion;
    }

    BigDecimal reasoning() {
        return reasoningPerMillion == null ? outputPerMillion : reasoningPerMillion;
    }
}
