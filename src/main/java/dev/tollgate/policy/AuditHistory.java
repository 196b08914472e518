package dev.tollgate.policy;

import java.util.List;

/** Reading the audit log back (the store implements it). */
public interface AuditHistory {
    List<AuditRecord> audit(AuditQuery query) throws Exception;
}
