package dev.tollgate.server;

import dev.tollgate.price.Cost;
import dev.tollgate.price.Price;
import dev.tollgate.price.PriceCatalogue;
import dev.tollgate.wire.Usage;
import java.time.Instant;

/**
 * The worst expected cost of a request before it is sent: its estimated prompt and the most it may generate, at the
 * model's price. The serving deployment is not known yet, so a deployment-specific price counts only when the model
 * has no price for all its deployments; then the dearest of them is taken.
 */
final class WorstCost {
    private WorstCost() {}

    static Cost of(PriceCatalogue prices, String model, long promptTokens, long outputTokens, Instant now) {
        if (prices.isEmpty()) {
            return Cost.NONE;
        }
        Usage usage = new Usage(Math.max(0, promptTokens), Math.max(0, outputTokens), 0, 0);
        Price general = prices.priceOf(model, null, now);
        if (general != null) {
            return PriceCatalogue.cost(general, false, usage);
        }
        Cost worst = Cost.NONE;
        for (Price p : prices.prices()) {
            if (p.model().equals(model) && p.forDeployment() && prices.priceOf(model, p.deployment(), now) == p) {
                Cost c = PriceCatalogue.cost(p, false, usage);
                if (worst == Cost.NONE || c.micros() > worst.micros()) {
                    worst = c;
                }
            }
        }
        return worst;
    }
}
