package io.socketaudit.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per-key statistics in bounded memory. Once twice {@code capacity} keys are held, the lightest
 * half is folded away, so a log with millions of distinct keys (remote ephemeral ports, say) still
 * yields its heaviest keys. A key folded away and seen again starts from zero, so its count can be
 * short by at most {@link #largestFoldedWeight()}; the report says so when that happened.
 */
final class BoundedTally<S extends BoundedTally.Stats> {

    /** The statistics kept per key; {@link #weight()} ranks keys. */
    interface Stats {
        long weight();
    }

    private final int capacity;
    private final Supplier<S> newStats;
    private final Map<String, S> byKey = new HashMap<>();
    private long foldedKeys;
    private long largestFoldedWeight;

    BoundedTally(int capacity, Supplier<S> newStats) {
        this.capacity = capacity;
        this.newStats = newStats;
    }

    S get(String key) {
        S stats = byKey.get(key);
        if (stats == null) {
            if (byKey.size() >= 2 * capacity) {
                foldLightest();
            }
            stats = newStats.get();
            byKey.put(key, stats);
        }
        return stats;
    }

    /** The heaviest keys, heaviest first; ties in key order so reports are stable. */
    List<Map.Entry<String, S>> top(int limit) {
        List<Map.Entry<String, S>> entries = new ArrayList<>(byKey.entrySet());
        entries.sort(heaviestFirst());
        return entries.subList(0, Math.min(limit, entries.size()));
    }

    /** Distinct keys seen, counting those folded away. */
    long distinct() {
        return byKey.size() + foldedKeys;
    }

    boolean approximate() {
        return foldedKeys > 0;
    }

    long largestFoldedWeight() {
        return largestFoldedWeight;
    }

    private void foldLightest() {
        List<Map.Entry<String, S>> entries = new ArrayList<>(byKey.entrySet());
        entries.sort(heaviestFirst());
        for (Map.Entry<String, S> folded : entries.subList(capacity, entries.size())) {
            byKey.remove(folded.getKey());
            foldedKeys++;
            largestFoldedWeight = Math.max(largestFoldedWeight, folded.getValue().weight());
        }
    }

    private static <S extends Stats> Comparator<Map.Entry<String, S>> heaviestFirst() {
        return Comparator.comparingLong((Map.Entry<String, S> e) -> e.getValue().weight()).reversed()
                .thenComparing(Map.Entry::getKey);
    }
}
