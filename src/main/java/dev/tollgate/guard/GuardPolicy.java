package dev.tollgate.guard;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@code guard:} section of the configuration: whether the live gateway feeds the detector, what each verdict
 * does to an account's requests (for all tenants, and per tenant), and who has a declared use.
 *
 * @param enabled whether completed exchanges are observed at all (default true)
 * @param queueCapacity observations waiting for the detector; beyond it they are dropped and counted
 * @param actions the action per verdict for every tenant; a verdict without one is only listed (default: all flag)
 * @param throttlePerMinute requests a throttled account may make per minute
 * @param allow accounts (key ids) or tenants with a declared use (evaluation harness, permitted synthetic data): their
 *     scores are kept, but no verdict ever applies to them
 * @param tenants per-tenant actions and allowlist, over the defaults above
 */
public record GuardPolicy(
        boolean enabled,
        int queueCapacity,
        Map<Verdict, Action> actions,
        int throttlePerMinute,
        Set<String> allow,
        Map<String, TenantGuard> tenants) {

    /**
     * One tenant's {@code tenants.<name>.guard:}.
     *
     * @param actions actions per verdict replacing the default ones for this tenant's accounts
     * @param allow key ids of this tenant with a declared use
     */
    public record TenantGuard(Map<Verdict, Action> actions, Set<String> allow) {
        public TenantGuard {
            actions = copy(actions);
            allow = Set.copyOf(allow);
        }
    }

    public static final int DEFAULT_QUEUE = 16_384;
    public static final int DEFAULT_THROTTLE_PER_MINUTE = 6;

    /** Observe everything, act on nothing: verdicts are listed and audited until actions are configured. */
    public static final GuardPolicy DEFAULTS =
            new GuardPolicy(true, DEFAULT_QUEUE, Map.of(), DEFAULT_THROTTLE_PER_MINUTE, Set.of(), Map.of());

    public GuardPolicy {
        actions = copy(actions);
        allow = Set.copyOf(allow);
        tenants = Map.copyOf(tenants);
        if (queueCapacity < 1 || throttlePerMinute < 1) {
            throw new IllegalArgumentException("guard queue and throttle must be positive");
        }
    }

    private static Map<Verdict, Action> copy(Map<Verdict, Action> m) {
        return m.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(m));
    }

    /** The action for an account of {@code tenant} (null when unknown) under {@code verdict}; FLAG when none is set. */
    public Action action(String tenant, Verdict verdict) {
        if (verdict == Verdict.CLEAR) {
            return null;
        }
        TenantGuard t = tenant == null ? null : tenants.get(tenant);
        Action a = t == null ? null : t.actions().get(verdict);
        if (a == null) {
            a = actions.get(verdict);
        }
        return a == null ? Action.FLAG : a;
    }

    /** Every allowlisted name: the global ones and each tenant's. */
    public Set<String> allowlist() {
        Set<String> all = new HashSet<>(allow);
        tenants.values().forEach(t -> all.addAll(t.allow()));
        return all;
    }
}
