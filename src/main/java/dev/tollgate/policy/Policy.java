package dev.tollgate.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code policy:} section of the configuration: rules, the default of each model, and how much a refused caller
 * is told.
 *
 * @param fallback what happens to a deployment no rule decides, for models without their own default
 * @param models per client-facing model, its own default (e.g. a new model open only to the tenants a rule allows)
 * @param rules in file order (the gate sorts them by priority)
 * @param deployments attributes per deployment id ({@code provider/model}), merged over the provider's attributes
 * @param exposeRuleNames whether a refused caller is told the name of the deciding rule
 */
public record Policy(
        Default fallback,
        Map<String, Default> models,
        List<Rule> rules,
        Map<String, DeploymentAttributes> deployments,
        boolean exposeRuleNames) {
    /** No rules, everything allowed: the policy of a file without a {@code policy:} section. */
    public static final Policy NONE = new Policy(Default.ALLOW, Map.of(), List.of(), Map.of(), false);

    public Policy {
        Objects.requireNonNull(fallback, "fallback");
        models = Map.copyOf(models);
        rules = List.copyOf(rules);
        deployments = Map.copyOf(deployments);
    }

    /**
     * A default: its effect and, for deny, the reason given to a refused caller.
     *
     * @param reason null for the generic reason
     */
    public record Default(Effect effect, String reason) {
        public static final Default ALLOW = new Default(Effect.ALLOW, null);

        public Default {
            Objects.requireNonNull(effect, "effect");
        }
    }

    /** The default for {@code model}. */
    public Default defaultFor(String model) {
        Default d = models.get(model);
        return d != null ? d : fallback;
    }
}
