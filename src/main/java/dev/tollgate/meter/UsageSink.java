package dev.tollgate.meter;

import java.util.List;

/** Where usage records end up for good. Inserting a record whose request id is already there must do nothing. */
public interface UsageSink {
    void insertUsage(List<UsageRecord> batch) throws Exception;
}
