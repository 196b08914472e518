package dev.tollgate.guard;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A map with a fixed upper size and expiry, in least-recently-touched order: touching an entry moves it to the end,
 * so both the overflow victim and the expired entries are found at the front. Single-threaded (the detector's).
 */
final class BoundedMap<K, V> {
    private final LinkedHashMap<K, Entry<V>> map;
    private final int capacity;
    private final long ttlMillis;
    private final Consumer<K> onEvict;
    private long evictions;

    private static final class Entry<V> {
        final V value;
        long touched;

        Entry(V value, long touched) {
            this.value = value;
            this.touched = touched;
        }
    }

    BoundedMap(int capacity, long ttlMillis, Consumer<K> onEvict) {
        this.map = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true);
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
        this.onEvict = onEvict;
    }

    /** The value for {@code key}, created when absent, marked as touched at {@code now}. */
    V touch(K key, long now, java.util.function.Function<K, V> create) {
        Entry<V> e = map.get(key);
        if (e == null) {
            expire(now);
            if (map.size() >= capacity) {
                evictEldest();
            }
            e = new Entry<>(create.apply(key), now);
            map.put(key, e);
        } else {
            e.touched = Math.max(e.touched, now);
        }
        return e.value;
    }

    V peek(K key) {
        Entry<V> e = map.get(key);
        return e == null ? null : e.value;
    }

    /** Drops entries untouched for longer than the time to live, oldest first. */
    void expire(long now) {
        Iterator<Map.Entry<K, Entry<V>>> it = map.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<K, Entry<V>> eldest = it.next();
            if (now - eldest.getValue().touched <= ttlMillis) {
                return;
            }
            it.remove();
            evictions++;
            onEvict.accept(eldest.getKey());
        }
    }

    private void evictEldest() {
        Iterator<Map.Entry<K, Entry<V>>> it = map.entrySet().iterator();
        Map.Entry<K, Entry<V>> eldest = it.next();
        it.remove();
        evictions++;
        onEvict.accept(eldest.getKey());
    }

    int size() {
        return map.size();
    }

    long evictions() {
        return evictions;
    }

    Iterable<Map.Entry<K, V>> entries() {
        return () -> map.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue().value))
                .iterator();
    }
}
