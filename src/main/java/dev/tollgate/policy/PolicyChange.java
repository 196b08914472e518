package dev.tollgate.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** What changed between two policies in force, in words for the audit log. */
public final class PolicyChange {
    private PolicyChange() {}

    /** The differences, one line each; empty when the decisions cannot differ. */
    public static List<String> between(PolicyGate before, PolicyGate after) {
        List<String> out = new ArrayList<>();
        Policy a = before.policy();
        Policy b = after.policy();
        if (!a.fallback().equals(b.fallback())) {
            out.add("default: " + a.fallback().effect().word() + " -> "
                    + b.fallback().effect().word());
        }
        for (String m : new TreeSet<>(union(a.models(), b.models()))) {
            Policy.Default x = a.models().get(m);
            Policy.Default y = b.models().get(m);
            if (!Objects.equals(x, y)) {
                out.add("default of model " + m + ": "
                        + (x == null ? "none" : x.effect().word()) + " -> "
                        + (y == null ? "none" : y.effect().word()));
            }
        }
        Map<String, Rule> ra = byName(a.rules());
        Map<String, Rule> rb = byName(b.rules());
        for (String name : new TreeSet<>(union(ra, rb))) {
            Rule x = ra.get(name);
            Rule y = rb.get(name);
            if (x == null) {
                out.add("rule " + name + " added (" + y.effect().word() + ", priority " + y.priority() + ")");
            } else if (y == null) {
                out.add("rule " + name + " removed");
            } else if (!x.equals(y)) {
                out.add("rule " + name + " changed");
            }
        }
        if (a.exposeRuleNames() != b.exposeRuleNames()) {
            out.add("expose_rule_names: " + a.exposeRuleNames() + " -> " + b.exposeRuleNames());
        }
        for (String t : new TreeSet<>(union(before.tenants(), after.tenants()))) {
            if (!Objects.equals(before.tenants().get(t), after.tenants().get(t))) {
                out.add("attributes of tenant " + t + " changed");
            }
        }
        for (String d : new TreeSet<>(union(before.deployments(), after.deployments()))) {
            if (!Objects.equals(before.deployments().get(d), after.deployments().get(d))) {
                out.add("attributes of deployment " + d + " changed");
            }
        }
        return out;
    }

    /** A description of a whole policy, for the record written at start. */
    public static List<String> describe(PolicyGate gate) {
        List<String> out = new ArrayList<>();
        Policy p = gate.policy();
        out.add("default: " + p.fallback().effect().word());
        new java.util.TreeMap<>(p.models())
                .forEach((m, d) ->
                        out.add("default of model " + m + ": " + d.effect().word()));
        for (Rule r : p.rules()) {
            out.add("rule " + r.name() + " (" + r.effect().word() + ", priority " + r.priority() + ")");
        }
        return out;
    }

    private static java.util.Set<String> union(Map<String, ?> x, Map<String, ?> y) {
        java.util.Set<String> s = new java.util.HashSet<>(x.keySet());
        s.addAll(y.keySet());
        return s;
    }

    private static Map<String, Rule> byName(List<Rule> rules) {
        Map<String, Rule> m = new LinkedHashMap<>();
        rules.forEach(r -> m.put(r.name(), r));
        return m;
    }
}
