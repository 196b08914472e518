package dev.tollgate.guard;

import java.time.Duration;
import java.util.Set;

/**
 * The detector's limits and thresholds.
 *
 * @param maxAccounts accounts tracked at once; the least recently seen is forgotten beyond it
 * @param maxGlobalEntries shared-skeleton buckets, fingerprints and organisations tracked at once (each)
 * @param accountTtl an account unseen this long is forgotten
 * @param globalTtl a bucket or fingerprint unseen this long is forgotten
 * @param watch score from which an account is watched; suspect and confirmed likewise
 * @param hysteresis how far below a threshold the score must fall before the verdict drops a level
 * @param minConfirmObservations a verdict never reaches confirmed on fewer observations
 * @param allowlist accounts or organisations with a declared use (evaluation harness, permitted synthetic data)
 */
public record GuardSettings(
        int maxAccounts,
        int maxGlobalEntries,
        Duration accountTtl,
        Duration globalTtl,
        double watch,
        double suspect,
        double confirmed,
        double hysteresis,
        int minConfirmObservations,
        Set<String> allowlist) {

    public GuardSettings {
        allowlist = Set.copyOf(allowlist);
        if (maxAccounts < 1 || maxGlobalEntries < 1) {
            throw new IllegalArgumentException("guard capacities must be positive");
        }
        if (!(watch < suspect && suspect < confirmed)) {
            throw new IllegalArgumentException("guard thresholds must rise: watch < suspect < confirmed");
        }
    }

    public static GuardSettings defaults() {
        return new GuardSettings(
                50_000, 200_000, Duration.ofDays(45), Duration.ofDays(14), 0.35, 0.55, 0.75, 0.1, 40, Set.of());
    }

    public GuardSettings withAllowlist(Set<String> names) {
        return new GuardSettings(
                maxAccounts,
                maxGlobalEntries,
                accountTtl,
                globalTtl,
                watch,
                suspect,
                confirmed,
                hysteresis,
                minConfirmObservations,
                names);
    }

    public GuardSettings withCapacity(int accounts, int global) {
        return new GuardSettings(
                accounts,
                global,
                accountTtl,
                globalTtl,
                watch,
                suspect,
                confirmed,
                hysteresis,
                minConfirmObservations,
                allowlist);
    }
}
