package dev.tollgate.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The policy's decision on every candidate deployment of one request, in the planner's order. */
public record PolicyDecision(String tenant, String model, Instant at, List<Verdict> verdicts) {
    public PolicyDecision {
        verdicts = List.copyOf(verdicts);
    }

    public List<Verdict> denied() {
        return verdicts.stream().filter(v -> !v.allowed()).toList();
    }

    public List<Verdict> allowed() {
        return verdicts.stream().filter(Verdict::allowed).toList();
    }

    public boolean deniedAny() {
        return verdicts.stream().anyMatch(v -> !v.allowed());
    }

    public boolean refused() {
        return verdicts.stream().noneMatch(Verdict::allowed);
    }

    /**
     * What a refused caller is told: the distinct reasons of the deciding rules, each followed by the rule's name when
     * {@code exposeRuleNames}. Never a deployment id or provider name.
     */
    public String refusal(boolean exposeRuleNames) {
        Set<String> reasons = new LinkedHashSet<>();
        for (Verdict v : verdicts) {
            if (v.allowed()) {
                continue;
            }
            String reason =
                    v.reason() != null ? v.reason() : "the model '" + model + "' is not available to your organisation";
            reasons.add(exposeRuleNames ? reason + " [" + v.decidedBy(model) + "]" : reason);
        }
        List<String> parts = new ArrayList<>(reasons);
        return "The compliance policy allows no deployment of model '" + model + "' to serve this request: "
                + String.join("; ", parts)
                + (parts.getLast().endsWith(".") ? "" : ".")
                + " Contact the gateway operator if you believe this is wrong.";
    }
}
