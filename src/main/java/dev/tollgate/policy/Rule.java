package dev.tollgate.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One rule of the policy.
 *
 * @param name unique in the policy; shown in the audit log and the admin API, and to callers only when the operator
 *     sets {@code expose_rule_names}
 * @param priority lower is considered first; among equal priorities the file order decides
 * @param models the client-facing models the rule applies to; empty for every model
 * @param when what must hold of the tenant and the deployment
 * @param effectiveFrom first instant the rule is in force; null for always
 * @param effectiveUntil first instant the rule is no longer in force; null for never ending
 * @param reason why, in words a caller can act on; sent with a refusal
 */
public record Rule(
        String name,
        Effect effect,
        int priority,
        Set<String> models,
        Condition when,
        Instant effectiveFrom,
        Instant effectiveUntil,
        String reason) {
    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(effect, "effect");
        models = Set.copyOf(models);
        when = when == null ? Condition.ALWAYS : when;
    }

    /** Whether the rule is in force at {@code at}: from {@code effectiveFrom} inclusive to {@code effectiveUntil} exclusive. */
    public boolean inForce(Instant at) {
        return (effectiveFrom == null || !at.isBefore(effectiveFrom))
                && (effectiveUntil == null || at.isBefore(effectiveUntil));
    }

    boolean appliesTo(String model) {
        return models.isEmpty() || models.contains(model);
    }
}
