package dev.tollgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the gateway routes requests: the strategy, fallback and aliases of each model, retries of a whole request, the
 * circuit breaker every deployment has, active health checks, outlier ejection and per-tenant pins.
 *
 * @param retries how many times a request is tried again after every deployment failed retryably (default 2)
 * @param backoffBase base of the exponential back-off with full jitter between retries (default 100 ms); a
 *     {@code retry-after} from the upstream replaces it
 * @param breaker the circuit breaker of each deployment
 * @param healthCheck active probing of every provider; null when off (the default)
 * @param outlier ejection of deployments much slower than their peers; null when off (the default)
 * @param models per client-facing model written in the mapping form (or as an alias): its strategy, fallback models
 *     or alias target; models written as a plain list of deployments have no entry
 * @param pins per tenant, per client-facing model: the deployment id ({@code provider/model}) tried first
 */
public record Routing(
        int retries,
        Duration backoffBase,
        Breaker breaker,
        HealthCheck healthCheck,
        Outlier outlier,
        Map<String, ModelRouting> models,
        Map<String, Map<String, String>> pins) {
    public static final Routing DEFAULTS = new Routing(2, Duration.ofMillis(100), Breaker.DEFAULTS);

    public Routing {
        models = models == null ? Map.of() : Map.copyOf(models);
        pins = pins == null ? Map.of() : Map.copyOf(pins);
    }

    /** Retries and breaker only: priority order, no health checks, no ejection, no fallback models, no pins. */
    public Routing(int retries, Duration backoffBase, Breaker breaker) {
        this(retries, backoffBase, breaker, null, null, Map.of(), Map.of());
    }

    /** The routing of {@code model}: its own entry, or priority order without fallback. */
    public ModelRouting of(String model) {
        return models.getOrDefault(model, ModelRouting.PLAIN);
    }

    /** How the deployments of one model are ordered for a request. */
    public enum Strategy {
        /** Lower {@code priority} first; equal priorities share traffic by {@code weight} (the default). */
        PRIORITY("priority"),
        /** Lowest moving average of the time to first byte first; deployments not yet measured before all others. */
        LEAST_LATENCY("least-latency"),
        /** Cheapest price in effect (input plus output per million tokens) first; unpriced deployments last. */
        LEAST_COST("least-cost");

        private final String yaml;

        Strategy(String yaml) {
            this.yaml = yaml;
        }

        /** The name written in the file. */
        public String yaml() {
            return yaml;
        }

        public static Strategy ofYaml(String text) {
            for (Strategy s : values()) {
                if (s.yaml.equals(text)) {
                    return s;
                }
            }
            return null;
        }
    }

    /**
     * The routing of one client-facing model.
     *
     * @param aliasOf the model this name stands for, or null when it is a model of its own
     * @param strategy how its deployments are ordered
     * @param fallback models whose deployments are tried, in this order, after its own (each with its own strategy
     *     and fallbacks, breadth first)
     */
    public record ModelRouting(String aliasOf, Strategy strategy, List<String> fallback) {
        public static final ModelRouting PLAIN = new ModelRouting(null, Strategy.PRIORITY, List.of());

        public ModelRouting {
            strategy = strategy == null ? Strategy.PRIORITY : strategy;
            fallback = fallback == null ? List.of() : List.copyOf(fallback);
        }
    }

    /**
     * Active health checks: every {@code interval}, one {@code GET} of {@code path} under each provider's base URL.
     * An answer below 500 other than 429 within {@code timeout} counts as alive (even a 401 or 404 proves the host
     * serves); anything else as down.
     */
    public record HealthCheck(Duration interval, Duration timeout, String path) {
        public static final String DEFAULT_PATH = "/models";
    }

    /**
     * Outlier ejection: a deployment whose moving-average latency is more than {@code factor} times the median of the
     * other deployments of its model, and above {@code minLatency}, has its breaker opened (and its average forgotten,
     * so the half-open probes measure it afresh).
     */
    public record Outlier(double factor, Duration minLatency) {}

    /**
     * A count-based circuit breaker per deployment.
     *
     * @param failureRate percentage of failed attempts among the last {@code window} that opens the breaker
     * @param minimumCalls attempts needed before the failure rate is judged
     * @param window how many recent attempts the failure rate is computed over
     * @param consecutiveFailures this many failures in a row open the breaker whatever the rate (0: off)
     * @param openFor how long an open breaker keeps its deployment behind the healthy ones
     * @param halfOpenCalls probe requests let through after {@code openFor}; they decide whether it closes again
     */
    public record Breaker(
            int failureRate,
            int minimumCalls,
            int window,
            int consecutiveFailures,
            Duration openFor,
            int halfOpenCalls) {
        public static final Breaker DEFAULTS = new Breaker(50, 10, 20, 5, Duration.ofSeconds(10), 3);
    }
}
