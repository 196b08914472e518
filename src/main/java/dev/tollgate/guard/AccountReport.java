package dev.tollgate.guard;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the detector holds about one account, as shown to operators and written by the replay.
 *
 * @param verdict the verdict in force (an operator's override, the allowlist, or the detector's own)
 * @param score the account's score in [0, 1], its cluster's included
 * @param cluster the strongest link to other accounts (a shared prompt skeleton or fingerprint), or null
 * @param clusterScore the running score of the accounts seen on that link
 * @param firstFlaggedAt when the detector's verdict first reached suspect, or null
 * @param reasons the features that drove the score, strongest first
 * @param features every feature value, in [0, 1]
 * @param override the operator's override reason, or null
 */
public record AccountReport(
        String account,
        String org,
        Verdict verdict,
        double score,
        String cluster,
        double clusterScore,
        Instant firstFlaggedAt,
        List<String> reasons,
        Map<String, Double> features,
        long observations,
        Instant firstSeen,
        Instant lastSeen,
        String override) {}
