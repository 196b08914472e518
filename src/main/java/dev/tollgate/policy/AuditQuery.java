package dev.tollgate.policy;

import java.time.Instant;

/**
 * A read of the audit log, oldest first.
 *
 * @param tenant only this tenant's decisions (policy changes, which concern everyone, are always included); null for
 *     all
 * @param since from this instant on (inclusive); null for the beginning
 * @param limit at most this many records
 */
public record AuditQuery(String tenant, Instant since, int limit) {}
