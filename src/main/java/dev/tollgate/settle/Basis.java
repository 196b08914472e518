package dev.tollgate.settle;

import java.util.Objects;
import java.util.Optional;

/** Why a transaction was posted. */
public sealed interface Basis {

    /** The tenant is charged the revenue of one request. */
    record Charge() implements Basis {}

    /** The share of one request's revenue due under an agreement. */
    record Share(Agreement agreement) implements Basis {
        public Share {
            Objects.requireNonNull(agreement, "agreement");
        }
    }

    /**
     * A change to an earlier share under the same agreement, posted instead of editing it: a late event moved the
     * point where the cap was reached, or a corrected usage record changed the revenue.
     *
     * @param adjusts the id of the original share transaction
     * @param baseDelta how much the revenue base of {@link Transaction#source()}'s model and region changes; zero when
     *     only the share moves
     */
    record Adjustment(Agreement agreement, String adjusts, Money baseDelta) implements Basis {
        public Adjustment {
            Objects.requireNonNull(agreement, "agreement");
            Objects.requireNonNull(adjusts, "adjusts");
            Objects.requireNonNull(baseDelta, "baseDelta");
        }
    }

    /**
     * A corrected usage record: the original charge is reversed and the corrected one charged, in one transaction.
     *
     * @param adjusts the id of the original charge transaction
     */
    record Correction(String adjusts) implements Basis {
        public Correction {
            Objects.requireNonNull(adjusts, "adjusts");
        }
    }

    /** The agreement a share or adjustment was posted under; empty for a charge. */
    default Optional<Agreement> underAgreement() {
        return switch (this) {
            case Charge c -> Optional.empty();
            case Correction c -> Optional.empty();
            case Share s -> Optional.of(s.agreement());
            case Adjustment a -> Optional.of(a.agreement());
        };
    }
}
