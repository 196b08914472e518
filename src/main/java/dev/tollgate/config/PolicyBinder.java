package dev.tollgate.config;

import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.config.YamlTree.Entry;
import dev.tollgate.config.YamlTree.Mapping;
import dev.tollgate.config.YamlTree.Node;
import dev.tollgate.config.YamlTree.Scalar;
import dev.tollgate.config.YamlTree.Sequence;
import dev.tollgate.policy.Attribute;
import dev.tollgate.policy.Condition;
import dev.tollgate.policy.DeploymentAttributes;
import dev.tollgate.policy.Effect;
import dev.tollgate.policy.Match;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.Rule;
import dev.tollgate.policy.TenantAttributes;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds the {@code policy:} section and the policy attributes of tenants and providers (docs/policy.md), reporting
 * every problem with its position like the rest of the file. Kept apart from {@link ConfigBinder}, whose generic
 * accessors it uses, because the rule language is a small language of its own.
 */
final class PolicyBinder {
    private static final List<String> POLICY =
            List.of("default", "default_reason", "expose_rule_names", "models", "deployments", "rules");
    private static final List<String> MODEL_DEFAULT = List.of("default", "reason");
    private static final List<String> DEPLOYMENT_ATTRIBUTES =
            List.of("vendor", "vendor_country", "family", "license", "labels");
    private static final List<String> RULE =
            List.of("name", "effect", "priority", "models", "when", "effective_from", "effective_until", "reason");
    private static final List<String> MATCH = List.of("not", "present", "same_as", "differs_from");
    /** Rules without a priority come after those given one in the usual range. */
    static final int DEFAULT_PRIORITY = 100;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");

    private final ConfigBinder binder;
    private final Problems problems;

    PolicyBinder(ConfigBinder binder, Problems problems) {
        this.binder = binder;
        this.problems = problems;
    }

    /** {@code region}, {@code tier}, {@code sector}, {@code ownership} and {@code labels} of one tenant. */
    TenantAttributes tenantAttributes(Mapping tenant, String path) {
        String region = text(tenant, path, "region");
        String tier = text(tenant, path, "tier");
        String sector = text(tenant, path, "sector");
        Map<String, BigDecimal> ownership = ownership(tenant, path);
        Map<String, String> labels = labels(tenant, path);
        if (region == null && tier == null && sector == null && ownership.isEmpty() && labels.isEmpty()) {
            return TenantAttributes.NONE;
        }
        return new TenantAttributes(region, tier, sector, ownership, labels);
    }

    /** The mapping under {@code key} of {@code m} as deployment attributes; NONE when absent. */
    DeploymentAttributes deploymentAttributes(Mapping m, String parentPath, String key) {
        Mapping a = binder.mapping(binder.value(m, parentPath, key, false), ConfigBinder.child(parentPath, key));
        return a == null ? DeploymentAttributes.NONE : deploymentAttributes(a, ConfigBinder.child(parentPath, key));
    }

    private DeploymentAttributes deploymentAttributes(Mapping a, String path) {
        binder.onlyKeys(a, path, DEPLOYMENT_ATTRIBUTES);
        String vendorCountry = text(a, path, "vendor_country");
        Scalar vc = binder.scalar(a, path, "vendor_country", false);
        if (vendorCountry != null && !COUNTRY.matcher(vendorCountry).matches()) {
            problems.add(
                    vc.at(),
                    path + ".vendor_country",
                    "'" + vendorCountry + "' is not an ISO 3166 alpha-2 country code: write two capital letters,"
                            + " e.g. US");
        }
        return new DeploymentAttributes(
                text(a, path, "vendor"),
                vendorCountry,
                text(a, path, "family"),
                text(a, path, "license"),
                labels(a, path));
    }

    Policy policy(Mapping top) {
        Mapping p = binder.mapping(binder.value(top, "", "policy", false), "policy");
        if (p == null) {
            return Policy.NONE;
        }
        binder.onlyKeys(p, "policy", POLICY);
        Set<String> models = ConfigBinder.modelNames(top);
        Set<String> providers = ConfigBinder.providerNames(top);
        Policy.Default fallback =
                new Policy.Default(effect(p, "policy", "default", Effect.ALLOW), text(p, "policy", "default_reason"));
        boolean expose = binder.flag(p, "policy", "expose_rule_names");

        Map<String, Policy.Default> modelDefaults = new LinkedHashMap<>();
        Mapping ms = binder.mapping(binder.value(p, "policy", "models", false), "policy.models");
        if (ms != null) {
            ms.entries().forEach((model, entry) -> {
                String path = "policy.models." + model;
                if (!models.contains(model)) {
                    problems.add(
                            entry.keyAt(),
                            path,
                            "unknown model '" + model + "' (known: " + ConfigBinder.sorted(models) + ")");
                }
                Mapping m = binder.mapping(entry.value(), path);
                if (m == null) {
                    return;
                }
                binder.onlyKeys(m, path, MODEL_DEFAULT);
                Effect effect = effect(m, path, "default", null);
                if (effect == null) {
                    problems.add(m.at(), path + ".default", "required field is missing: write default: deny or allow");
                    return;
                }
                modelDefaults.put(model, new Policy.Default(effect, text(m, path, "reason")));
            });
        }

        Map<String, DeploymentAttributes> deployments = new LinkedHashMap<>();
        Mapping ds = binder.mapping(binder.value(p, "policy", "deployments", false), "policy.deployments");
        if (ds != null) {
            ds.entries().forEach((id, entry) -> {
                String path = "policy.deployments." + id;
                int slash = id.indexOf('/');
                if (slash <= 0 || slash == id.length() - 1 || !providers.contains(id.substring(0, slash))) {
                    problems.add(
                            entry.keyAt(),
                            path,
                            "expected a deployment id provider/model, with a provider from providers (known: "
                                    + ConfigBinder.sorted(providers) + ")");
                }
                Mapping a = binder.mapping(entry.value(), path);
                if (a != null) {
                    deployments.put(id, deploymentAttributes(a, path));
                }
            });
        }

        List<Rule> rules = new ArrayList<>();
        Map<String, Position> names = new HashMap<>();
        List<Node> items = binder.list(binder.value(p, "policy", "rules", false), "policy.rules");
        for (int i = 0; i < items.size(); i++) {
            Rule r = rule(items.get(i), "policy.rules[" + i + "]", models, names);
            if (r != null) {
                rules.add(r);
            }
        }
        return new Policy(fallback, modelDefaults, rules, deployments, expose);
    }

    private Rule rule(Node node, String path, Set<String> knownModels, Map<String, Position> names) {
        Mapping r = binder.mapping(node, path);
        if (r == null) {
            return null;
        }
        binder.onlyKeys(r, path, RULE);
        Scalar name = binder.scalar(r, path, "name", true);
        if (name != null) {
            if (!NAME.matcher(name.text()).matches()) {
                problems.add(name.at(), path + ".name", "must be 1-64 letters, digits, '.', '_' or '-'");
            } else {
                Position first = names.putIfAbsent(name.text(), name.at());
                if (first != null) {
                    problems.add(
                            name.at(),
                            path + ".name",
                            "rule '" + name.text() + "' is already defined at line " + first.line()
                                    + ": rule names must be unique (they are quoted in the audit log)");
                }
            }
        }
        Effect effect = effect(r, path, "effect", null);
        if (effect == null && r.entries().get("effect") == null) {
            problems.add(r.at(), path + ".effect", "required field is missing: write effect: deny or effect: allow");
        }
        int priority = binder.integer(r, path, "priority", 0, DEFAULT_PRIORITY);
        Set<String> models = new LinkedHashSet<>();
        List<Node> ms = binder.list(binder.value(r, path, "models", false), path + ".models");
        for (int i = 0; i < ms.size(); i++) {
            String field = path + ".models[" + i + "]";
            if (!(ms.get(i) instanceof Scalar s) || s.isNull()) {
                problems.add(ms.get(i).at(), field, "expected a model name from models");
            } else if (!knownModels.contains(s.text())) {
                problems.add(
                        s.at(),
                        field,
                        "unknown model '" + s.text() + "' (known: " + ConfigBinder.sorted(knownModels) + ")");
            } else {
                models.add(s.text());
            }
        }
        Condition when = Condition.ALWAYS;
        Node whenNode = binder.value(r, path, "when", false);
        if (whenNode != null) {
            Condition c = condition(whenNode, path + ".when");
            when = c == null ? Condition.ALWAYS : c;
        }
        Instant from = instant(r, path, "effective_from");
        Instant until = instant(r, path, "effective_until");
        if (from != null && until != null && !from.isBefore(until)) {
            problems.add(
                    binder.scalar(r, path, "effective_until", false).at(),
                    path + ".effective_until",
                    "must be after effective_from");
        }
        String reason = text(r, path, "reason");
        if (effect == Effect.DENY && reason == null) {
            problems.add(
                    r.at(),
                    path + ".reason",
                    "a deny rule needs a reason: it is what a refused caller reads, e.g. reason: \"Vendor X no longer"
                            + " serves your region.\"");
        }
        if (name == null || effect == null) {
            return null;
        }
        return new Rule(name.text(), effect, priority, models, when, from, until, reason);
    }

    /** A {@code when} mapping: every key must hold; {@code any:} holds when one of its mappings does. */
    private Condition condition(Node node, String path) {
        Mapping m = binder.mapping(node, path);
        if (m == null) {
            return null;
        }
        List<Condition> all = new ArrayList<>();
        m.entries().forEach((key, entry) -> {
            String field = path + "." + key;
            if (key.equals("any")) {
                List<Node> groups = binder.list(entry.value(), field);
                if (groups.isEmpty()) {
                    problems.add(
                            entry.value().at(),
                            field,
                            "expected a list of conditions, e.g. any: [{tenant.country:"
                                    + " CN}, {tenant.ownership.CN: \">50\"}]");
                }
                List<Condition> any = new ArrayList<>();
                for (int i = 0; i < groups.size(); i++) {
                    Condition c = condition(groups.get(i), field + "[" + i + "]");
                    if (c != null) {
                        any.add(c);
                    }
                }
                all.add(new Condition.Any(any));
                return;
            }
            Attribute attribute;
            try {
                attribute = Attribute.parse(key);
            } catch (IllegalArgumentException e) {
                problems.add(entry.keyAt(), field, e.getMessage());
                return;
            }
            Match match = match(entry.value(), field, attribute);
            if (match == null) {
                return;
            }
            try {
                all.add(Condition.Test.of(attribute, match));
            } catch (IllegalArgumentException e) {
                problems.add(entry.value().at(), field, e.getMessage());
            }
        });
        return all.size() == 1 ? all.getFirst() : new Condition.All(all);
    }

    private Match match(Node node, String field, Attribute attribute) {
        switch (node) {
            case Scalar s
            when s.isNull() -> {
                problems.add(s.at(), field, "no value: write a value, a list [a, b], {not: [a, b]} or {present: true}");
                return null;
            }
            case Scalar s -> {
                if (attribute instanceof Attribute.Ownership) {
                    Match.Compare c = Match.Compare.parse(s.text());
                    if (c == null) {
                        problems.add(
                                s.at(),
                                field,
                                "expected a comparison with a percentage from 0 to 100 (at most two decimals) in"
                                        + " quotes, e.g. \">50\", \">=25\" or \"<10\"");
                    }
                    return c;
                }
                if (s.text().startsWith(">") || s.text().startsWith("<")) {
                    Match.Compare c = Match.Compare.parse(s.text());
                    if (c != null) {
                        return c; // refused by Condition.Test.of with the reason: only ownership is a number
                    }
                }
                return new Match.OneOf(Set.of(s.text()));
            }
            case Sequence seq -> {
                Set<String> values = values(seq, field);
                return values == null ? null : new Match.OneOf(values);
            }
            case Mapping m -> {
                binder.onlyKeys(m, field, MATCH);
                if (m.entries().size() != 1) {
                    problems.add(m.at(), field, "write exactly one of not, present, same_as, differs_from");
                    return null;
                }
                Map.Entry<String, Entry> only =
                        m.entries().entrySet().iterator().next();
                Node value = only.getValue().value();
                String sub = field + "." + only.getKey();
                return switch (only.getKey()) {
                    case "not" -> {
                        if (value instanceof Sequence seq) {
                            Set<String> values = values(seq, sub);
                            yield values == null ? null : new Match.NoneOf(values);
                        }
                        if (value instanceof Scalar s && !s.isNull()) {
                            yield new Match.NoneOf(Set.of(s.text()));
                        }
                        problems.add(value.at(), sub, "expected a value or a list of values");
                        yield null;
                    }
                    case "present" -> {
                        boolean present = binder.flag(m, field, "present");
                        yield new Match.Present(present);
                    }
                    case "same_as", "differs_from" -> {
                        if (!(value instanceof Scalar s) || s.isNull()) {
                            problems.add(value.at(), sub, "expected an attribute name, e.g. tenant.region");
                            yield null;
                        }
                        try {
                            yield new Match.SameAs(
                                    Attribute.parse(s.text()), only.getKey().equals("differs_from"));
                        } catch (IllegalArgumentException e) {
                            problems.add(s.at(), sub, e.getMessage());
                            yield null;
                        }
                    }
                    default -> null; // reported by onlyKeys
                };
            }
        }
    }

    private Set<String> values(Sequence seq, String field) {
        if (seq.items().isEmpty()) {
            problems.add(seq.at(), field, "an empty list matches nothing: list at least one value");
            return null;
        }
        Set<String> values = new LinkedHashSet<>();
        for (int i = 0; i < seq.items().size(); i++) {
            if (seq.items().get(i) instanceof Scalar s && !s.isNull()) {
                values.add(s.text());
            } else {
                problems.add(seq.items().get(i).at(), field + "[" + i + "]", "expected a single value");
                return null;
            }
        }
        return values;
    }

    private Effect effect(Mapping m, String path, String key, Effect fallback) {
        Scalar s = binder.scalar(m, path, key, false);
        if (s == null) {
            return fallback;
        }
        return switch (s.text()) {
            case "allow" -> Effect.ALLOW;
            case "deny" -> Effect.DENY;
            default -> {
                problems.add(s.at(), ConfigBinder.child(path, key), "must be allow or deny");
                yield fallback;
            }
        };
    }

    /** An instant with its offset, e.g. 2026-12-01T00:00:00Z; a date alone is refused (midnight where?). */
    private Instant instant(Mapping m, String path, String key) {
        Scalar s = binder.scalar(m, path, key, false);
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s.text()).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(
                    s.at(),
                    ConfigBinder.child(path, key),
                    "expected a date and time with its offset, e.g. 2026-12-01T00:00:00Z or"
                            + " 2026-12-01T08:00:00+08:00");
            return null;
        }
    }

    private Map<String, BigDecimal> ownership(Mapping tenant, String path) {
        String field = path + ".ownership";
        Mapping m = binder.mapping(binder.value(tenant, path, "ownership", false), field);
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        if (m == null) {
            return out;
        }
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, Entry> e : m.entries().entrySet()) {
            String sub = field + "." + e.getKey();
            if (!COUNTRY.matcher(e.getKey()).matches()) {
                problems.add(e.getValue().keyAt(), sub, "expected an ISO 3166 alpha-2 country code such as US or CN");
                continue;
            }
            BigDecimal share = null;
            if (e.getValue().value() instanceof Scalar s
                    && (s.token() == JsonToken.VALUE_NUMBER_INT || s.token() == JsonToken.VALUE_NUMBER_FLOAT)) {
                try {
                    share = new BigDecimal(s.text());
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            if (share == null
                    || share.signum() < 0
                    || share.compareTo(BigDecimal.valueOf(100)) > 0
                    || share.stripTrailingZeros().scale() > 2) {
                problems.add(
                        e.getValue().value().at(),
                        sub,
                        "expected a percentage from 0 to 100 with at most two decimals, e.g. " + e.getKey() + ": 51");
                continue;
            }
            total = total.add(share);
            out.put(e.getKey(), share);
        }
        if (total.compareTo(BigDecimal.valueOf(100)) > 0) {
            problems.add(m.at(), field, "the shares add up to " + total.toPlainString() + "%, more than 100%");
        }
        return out;
    }

    private Map<String, String> labels(Mapping m, String path) {
        String field = path + ".labels";
        Mapping l = binder.mapping(binder.value(m, path, "labels", false), field);
        Map<String, String> out = new LinkedHashMap<>();
        if (l == null) {
            return out;
        }
        l.entries().forEach((key, entry) -> {
            if (entry.value() instanceof Scalar s && !s.isNull()) {
                out.put(key, s.text());
            } else {
                problems.add(entry.value().at(), field + "." + key, "expected a single value, e.g. " + key + ": yes");
            }
        });
        return out;
    }

    /** A non-empty optional text; null when absent. */
    private String text(Mapping m, String path, String key) {
        Scalar s = binder.scalar(m, path, key, false);
        if (s == null || s.isNull()) {
            return null;
        }
        if (s.text().isBlank()) {
            problems.add(s.at(), ConfigBinder.child(path, key), "must not be empty");
            return null;
        }
        return s.text();
    }
}
