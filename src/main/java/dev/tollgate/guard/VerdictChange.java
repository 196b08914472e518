package dev.tollgate.guard;

import java.time.Instant;
import java.util.List;

/** A change of the verdict in force for an account: what the audit trail records. */
public record VerdictChange(
        Instant time,
        String account,
        String org,
        Verdict from,
        Verdict to,
        double score,
        String cause,
        List<String> reasons) {}
