package dev.tollgate.policy;

import java.util.List;

/** Where audit records are kept (the store implements it). Called from the audit thread only. */
public interface AuditSink {
    /** Appends a batch in one transaction. */
    void insertAudit(List<AuditRecord> batch) throws Exception;
}
