package dev.tollgate.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The policy of one configuration snapshot, ready to decide: rules sorted by priority per model, tenant and deployment
 * profiles resolved once. Deciding reads only this immutable state, so it is safe from every event loop at once and a
 * pure function of (snapshot, tenant, deployment, model, instant).
 *
 * <p>For each candidate deployment the rules that apply to the model are considered by priority (lower first, ties in
 * file order); the first one in force at the instant whose {@code when} holds decides. When none does, the model's
 * default (else the policy's) decides.
 */
public final class PolicyGate {
    private static final Rule[] NO_RULES = new Rule[0];

    private final Policy policy;
    private final Map<String, TenantProfile> tenants;
    private final Map<String, DeploymentProfile> deployments;
    /** Rules of the models some rule names, sorted; models no rule names use {@link #everyModel}. */
    private final Map<String, Rule[]> byModel;

    private final Rule[] everyModel;

    private PolicyGate(Policy policy, Map<String, TenantProfile> tenants, Map<String, DeploymentProfile> deployments) {
        this.policy = policy;
        this.tenants = tenants;
        this.deployments = deployments;
        List<Rule> sorted = new ArrayList<>(policy.rules());
        sorted.sort(Comparator.comparingInt(Rule::priority)); // stable: ties keep file order
        this.everyModel = sorted.stream().filter(r -> r.models().isEmpty()).toArray(Rule[]::new);
        Map<String, Rule[]> byModel = new HashMap<>();
        for (Rule r : sorted) {
            for (String m : r.models()) {
                byModel.computeIfAbsent(
                        m, k -> sorted.stream().filter(x -> x.appliesTo(k)).toArray(Rule[]::new));
            }
        }
        this.byModel = Map.copyOf(byModel);
    }

    /** A gate for {@code policy}, knowing the attributes of the tenants and deployments of the configuration. */
    public static PolicyGate of(
            Policy policy, Collection<TenantProfile> tenants, Collection<DeploymentProfile> deployments) {
        Map<String, TenantProfile> t = new HashMap<>();
        tenants.forEach(p -> t.put(p.name(), p));
        Map<String, DeploymentProfile> d = new HashMap<>();
        deployments.forEach(p -> d.put(p.id(), p));
        return new PolicyGate(policy, Map.copyOf(t), Map.copyOf(d));
    }

    public Policy policy() {
        return policy;
    }

    /** The profile of a tenant declared in the configuration, else one with only its name and country. */
    public TenantProfile tenant(String name, String country) {
        TenantProfile p = tenants.get(name);
        return p != null ? p : new TenantProfile(name, country, TenantAttributes.NONE);
    }

    /** The profiles of the tenants declared in the configuration, by name. */
    public Map<String, TenantProfile> tenants() {
        return tenants;
    }

    /** The profiles of the configured deployments, by id. */
    public Map<String, DeploymentProfile> deployments() {
        return deployments;
    }

    /** The profile of deployment {@code id}; an unknown id gets one with no attributes. */
    public DeploymentProfile deployment(String id) {
        DeploymentProfile p = deployments.get(id);
        return p != null ? p : new DeploymentProfile(id, null, null, null, DeploymentAttributes.NONE);
    }

    private Rule[] rules(String model) {
        Rule[] r = byModel.get(model);
        return r != null ? r : everyModel.length == 0 ? NO_RULES : everyModel;
    }

    /** The rule deciding, or null for the default. */
    private Rule decidingRule(Rule[] rules, TenantProfile t, String model, DeploymentProfile d, Instant at) {
        for (Rule r : rules) {
            if (r.inForce(at) && r.when().holds(t, d, model)) {
                return r;
            }
        }
        return null;
    }

    /** The verdict on one deployment. */
    public Verdict decide(TenantProfile tenant, String model, DeploymentProfile deployment, Instant at) {
        Rule r = decidingRule(rules(model), tenant, model, deployment, at);
        if (r != null) {
            return new Verdict(deployment.id(), r.effect(), r.name(), r.reason());
        }
        Policy.Default d = policy.defaultFor(model);
        return new Verdict(deployment.id(), d.effect(), null, d.reason());
    }

    /** The verdicts on every deployment of a plan, in its order. */
    public PolicyDecision decide(TenantProfile tenant, String model, List<String> deploymentIds, Instant at) {
        List<Verdict> verdicts = new ArrayList<>(deploymentIds.size());
        for (String id : deploymentIds) {
            verdicts.add(decide(tenant, model, deployment(id), at));
        }
        return new PolicyDecision(tenant.name(), model, at, verdicts);
    }

    /**
     * The deployments of {@code plan} the policy allows, in the plan's order: the plan itself when all are allowed
     * (no allocation, and none at all for a model no rule concerns), an empty list when none is.
     */
    public <D> List<D> filter(
            TenantProfile tenant, String model, List<D> plan, Function<? super D, String> idOf, Instant at) {
        return filter(tenant, model, plan, idOf, d -> null, at);
    }

    /**
     * As {@link #filter(TenantProfile, String, List, Function, Instant)}, for a plan that also holds deployments of
     * fallback models: each deployment is judged for the model it serves ({@code modelOf}; null for {@code model}).
     */
    public <D> List<D> filter(
            TenantProfile tenant,
            String model,
            List<D> plan,
            Function<? super D, String> idOf,
            Function<? super D, String> modelOf,
            Instant at) {
        List<D> kept = null;
        for (int i = 0; i < plan.size(); i++) {
            D d = plan.get(i);
            String served = modelOf.apply(d);
            String m = served != null ? served : model;
            Rule[] rules = rules(m);
            Effect fallback = policy.defaultFor(m).effect();
            boolean allowed;
            if (rules.length == 0) {
                allowed = fallback == Effect.ALLOW;
            } else {
                Rule r = decidingRule(rules, tenant, m, deployment(idOf.apply(d)), at);
                allowed = (r != null ? r.effect() : fallback) == Effect.ALLOW;
            }
            if (!allowed && kept == null) {
                kept = new ArrayList<>(plan.subList(0, i));
            } else if (allowed && kept != null) {
                kept.add(d);
            }
        }
        return kept == null ? plan : kept;
    }
}
