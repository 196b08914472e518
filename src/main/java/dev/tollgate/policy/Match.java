package dev.tollgate.policy;

import java.math.BigDecimal;
import java.util.Set;

/** What a rule requires of one attribute. */
public sealed interface Match {
    /** The attribute's value is one of {@code values} (one value: equal to it). Absent never matches. */
    record OneOf(Set<String> values) implements Match {
        public OneOf {
            values = Set.copyOf(values);
        }
    }

    /** The attribute's value is none of {@code values}; an absent value matches. */
    record NoneOf(Set<String> values) implements Match {
        public NoneOf {
            values = Set.copyOf(values);
        }
    }

    /** The attribute has a value ({@code present: true}) or has none ({@code present: false}). */
    record Present(boolean present) implements Match {}

    /** The attribute has the same value as another ({@code same_as}), or not ({@code differs_from}). */
    record SameAs(Attribute other, boolean negate) implements Match {}

    /** A numeric comparison, for ownership percentages: {@code ">50"}, {@code ">=25.5"}, {@code "<10"}. */
    record Compare(Op op, BigDecimal percent) implements Match {
        public enum Op {
            GT(">"),
            GE(">="),
            LT("<"),
            LE("<="),
            EQ("=");

            final String symbol;

            Op(String symbol) {
                this.symbol = symbol;
            }
        }

        /** Parses {@code >50}, {@code >= 50}, {@code <10.5}, {@code =0}; null when the text is not a comparison. */
        public static Compare parse(String text) {
            String t = text.strip();
            Op op;
            if (t.startsWith(">=")) {
                op = Op.GE;
            } else if (t.startsWith("<=")) {
                op = Op.LE;
            } else if (t.startsWith(">")) {
                op = Op.GT;
            } else if (t.startsWith("<")) {
                op = Op.LT;
            } else if (t.startsWith("=")) {
                op = Op.EQ;
            } else {
                return null;
            }
            try {
                BigDecimal value =
                        new BigDecimal(t.substring(op.symbol.length()).strip());
                return value.scale() > 2 || value.signum() < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0
                        ? null
                        : new Compare(op, value);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        boolean test(long hundredths) {
            long limit = percent.movePointRight(2).longValueExact();
            return switch (op) {
                case GT -> hundredths > limit;
                case GE -> hundredths >= limit;
                case LT -> hundredths < limit;
                case LE -> hundredths <= limit;
                case EQ -> hundredths == limit;
            };
        }

        @Override
        public String toString() {
            return op.symbol + percent.toPlainString();
        }
    }
}
