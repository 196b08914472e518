package dev.tollgate.tenant;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.Secret;
import dev.tollgate.config.TenantConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tenants and their virtual keys, from the configuration file and from the store, kept as one {@link KeyRing}.
 * Changes through the admin API take effect on this node at once: the ring is rebuilt before the call returns.
 */
public final class TenantDirectory {
    private final KeyStore store;
    private final Clock clock;
    private volatile GatewayConfig config;
    private volatile KeyRing ring = KeyRing.empty();
    private String stamp = "";

    public TenantDirectory(KeyStore store, GatewayConfig config, Clock clock) throws Exception {
        this.store = store;
        this.clock = clock;
        this.config = config;
        rebuild();
    }

    public KeyRing ring() {
        return ring;
    }

    /** A new configuration may declare other tenants and keys. */
    public synchronized void configure(GatewayConfig newConfig) throws Exception {
        this.config = newConfig;
        rebuild();
    }

    public synchronized StoredTenant createTenant(String name, String country) throws Exception {
        if (exists(name)) {
            throw new IllegalArgumentException("tenant '" + name + "' already exists");
        }
        StoredTenant tenant = new StoredTenant(name, country, clock.instant());
        store.insertTenant(tenant);
        return tenant;
    }

    /** All tenants, from the configuration and the store. */
    public List<StoredTenant> tenants() throws Exception {
        Map<String, StoredTenant> all = new HashMap<>();
        for (StoredTenant t : store.tenants()) {
            all.put(t.name(), t);
        }
        for (TenantConfig t : config.tenants().values()) {
            all.put(t.name(), new StoredTenant(t.name(), t.country(), null));
        }
        return all.values().stream()
                .sorted(java.util.Comparator.comparing(StoredTenant::name))
                .toList();
    }

    public boolean exists(String tenant) throws Exception {
        return config.tenants().containsKey(tenant)
                || store.tenants().stream().anyMatch(t -> t.name().equals(tenant));
    }

    public CreatedKey createKey(String tenant, String name, List<String> models) throws Exception {
        return createKey(tenant, name, models, null);
    }

    /** @param project the tenant's project the key belongs to (null: none) */
    public synchronized CreatedKey createKey(String tenant, String name, List<String> models, String project)
            throws Exception {
        if (!exists(tenant)) {
            throw new UnknownNameException("unknown tenant '" + tenant + "'");
        }
        for (String model : models) {
            if (!config.models().containsKey(model)) {
                throw new UnknownNameException("unknown model '" + model + "'");
            }
        }
        String key = ApiKeys.generate();
        StoredKey stored = new StoredKey(
                "key_" + ApiKeys.hash(key).substring(0, 16),
                tenant,
                name,
                ApiKeys.displayPrefix(key),
                ApiKeys.hash(key),
                models,
                clock.instant(),
                null,
                project);
        store.insertKey(stored);
        rebuild();
        return new CreatedKey(stored, key);
    }

    public List<StoredKey> keys(String tenant) throws Exception {
        return store.keys(tenant);
    }

    public synchronized Optional<StoredKey> revokeKey(String id) throws Exception {
        Optional<StoredKey> revoked = store.revokeKey(id, clock.instant());
        rebuild();
        return revoked;
    }

    /** Re-reads the store's keys: how another instance's key changes reach this one. */
    public synchronized void refresh() throws Exception {
        rebuild();
    }

    /**
     * Rebuilds the key ring if the store's tenants or keys changed since the last build (another instance created
     * or revoked one). Returns whether it did.
     */
    public synchronized boolean refreshIfChanged() throws Exception {
        if (store.changeStamp().equals(stamp)) {
            return false;
        }
        rebuild();
        return true;
    }

    private void rebuild() throws Exception {
        // Read before the keys: a change landing in between is picked up again by the next refresh, never missed.
        stamp = store.changeStamp();
        GatewayConfig cfg = config;
        Map<String, String> countries = new HashMap<>();
        for (StoredTenant t : store.tenants()) {
            countries.put(t.name(), t.country());
        }
        Map<String, Principal> byHash = new HashMap<>();
        for (StoredKey k : store.keys(null)) {
            if (k.revoked()) {
                continue;
            }
            TenantConfig declared = cfg.tenants().get(k.tenant());
            if (declared == null && !countries.containsKey(k.tenant())) {
                continue; // its tenant was removed from the configuration
            }
            String country = declared != null ? declared.country() : countries.get(k.tenant());
            byHash.put(k.hash(), scoped(k.tenant(), k.id(), country, declared, k.models(), k.project()));
        }
        for (TenantConfig t : cfg.tenants().values()) {
            for (Secret key : t.keys()) {
                String hash = ApiKeys.hash(key.value());
                byHash.put(hash, scoped(t.name(), "cfg_" + hash.substring(0, 16), t.country(), t, List.of(), null));
            }
        }
        ring = new KeyRing(byHash);
    }

    /** A key may narrow its tenant's models, never widen them. */
    private static Principal scoped(
            String tenant,
            String keyId,
            String country,
            TenantConfig declared,
            List<String> keyModels,
            String project) {
        List<String> tenantModels = declared == null ? List.of() : declared.models();
        if (tenantModels.isEmpty() && keyModels.isEmpty()) {
            return new Principal(tenant, keyId, country, true, Set.of(), project);
        }
        Set<String> allowed;
        if (tenantModels.isEmpty()) {
            allowed = new HashSet<>(keyModels);
        } else {
            allowed = new HashSet<>(tenantModels);
            if (!keyModels.isEmpty()) {
                allowed.retainAll(new ArrayList<>(keyModels));
            }
        }
        return new Principal(tenant, keyId, country, false, allowed, project);
    }
}
