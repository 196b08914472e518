package dev.tollgate.policy;

import java.util.List;

/** The {@code when} of a rule: tests of attributes, all of which must hold, or any of several groups. */
public sealed interface Condition {
    /** A condition that always holds: a rule without {@code when}. */
    Condition ALWAYS = new All(List.of());

    boolean holds(TenantProfile tenant, DeploymentProfile deployment, String model);

    /** Every condition holds (the keys of one {@code when} mapping). */
    record All(List<Condition> all) implements Condition {
        public All {
            all = List.copyOf(all);
        }

        @Override
        public boolean holds(TenantProfile t, DeploymentProfile d, String model) {
            for (Condition c : all) {
                if (!c.holds(t, d, model)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** At least one condition holds ({@code any: [..., ...]}). */
    record Any(List<Condition> any) implements Condition {
        public Any {
            any = List.copyOf(any);
        }

        @Override
        public boolean holds(TenantProfile t, DeploymentProfile d, String model) {
            for (Condition c : any) {
                if (c.holds(t, d, model)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One attribute meets one match. Built with {@link #of}, which refuses combinations that cannot mean anything. */
    record Test(Attribute attribute, Match match) implements Condition {
        /** @throws IllegalArgumentException with a message for the author when the pair makes no sense */
        public static Test of(Attribute attribute, Match match) {
            boolean ownership = attribute instanceof Attribute.Ownership;
            boolean compare = match instanceof Match.Compare;
            if (ownership && !compare) {
                throw new IllegalArgumentException(
                        "'" + attribute.path() + "' is a percentage: compare it, e.g. \">50\"");
            }
            if (compare && !ownership) {
                throw new IllegalArgumentException("'" + attribute.path()
                        + "' is not a number: comparisons such as \">50\" only apply to tenant.ownership.<CC>");
            }
            return new Test(attribute, match);
        }

        @Override
        public boolean holds(TenantProfile t, DeploymentProfile d, String model) {
            return switch (match) {
                case Match.Compare c -> c.test(((Attribute.Ownership) attribute).hundredths(t));
                case Match.OneOf m -> {
                    String v = attribute.value(t, d, model);
                    yield v != null && m.values().contains(v);
                }
                case Match.NoneOf m -> {
                    String v = attribute.value(t, d, model);
                    yield v == null || !m.values().contains(v);
                }
                case Match.Present p -> (attribute.value(t, d, model) != null) == p.present();
                case Match.SameAs s -> {
                    String v = attribute.value(t, d, model);
                    String o = s.other().value(t, d, model);
                    boolean same = v != null && v.equals(o);
                    yield s.negate() != same;
                }
            };
        }
    }
}
