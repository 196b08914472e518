package dev.tollgate.policy;

/**
 * The policy's decision on one deployment for one request.
 *
 * @param rule the deciding rule's name, or null when the model's default decided
 * @param reason the deciding rule's (or default's) reason; null when none was written
 */
public record Verdict(String deployment, Effect effect, String rule, String reason) {
    public boolean allowed() {
        return effect == Effect.ALLOW;
    }

    /** What decided, for people: {@code rule cn-cutoff} or {@code default deny of model chat-pro}. */
    public String decidedBy(String model) {
        return rule != null ? "rule " + rule : "default " + effect.word() + " of model " + model;
    }
}
