package dev.tollgate.tenant;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory index the hot path authenticates against: key hash to principal. Immutable; a change of keys or
 * configuration builds a new ring and swaps it in, so a lookup never takes a lock or touches the store.
 */
public final class KeyRing {
    private final Map<String, Principal> byHash;

    KeyRing(Map<String, Principal> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    static KeyRing empty() {
        return new KeyRing(new HashMap<>());
    }

    public Optional<Principal> authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > 512) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(ApiKeys.hash(presentedKey)));
    }

    public int size() {
        return byHash.size();
    }
}
