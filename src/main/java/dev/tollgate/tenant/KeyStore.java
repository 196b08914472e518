package dev.tollgate.tenant;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Persistence of tenants and virtual keys; implemented by the store adapters. */
public interface KeyStore {
    void insertTenant(StoredTenant tenant) throws Exception;

    List<StoredTenant> tenants() throws Exception;

    void insertKey(StoredKey key) throws Exception;

    /** Keys of one tenant, or of all tenants when {@code tenant} is null, revoked ones included. */
    List<StoredKey> keys(String tenant) throws Exception;

    /** Marks a key revoked; returns the key as it now is, or empty if there is no such key. */
    Optional<StoredKey> revokeKey(String id, Instant at) throws Exception;

    /**
     * A value that changes whenever a tenant or key is added or a key revoked, cheap to read: instances sharing a
     * store poll it and rebuild their key ring only when it moved.
     */
    String changeStamp() throws Exception;
}
