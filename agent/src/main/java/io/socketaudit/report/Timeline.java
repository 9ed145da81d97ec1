package io.socketaudit.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Closes and shutdowns over time, counted per {@code how} in time buckets. The bucket width grows
 * as the covered span grows, so there are never many more than {@link #MAX_BUCKETS} buckets. Each
 * width divides the next, so merging buckets into wider ones keeps the counts exact.
 */
final class Timeline {

    static final int MAX_BUCKETS = 300;
    /** Beyond this many distinct {@code how} values (only a corrupt log has them), the rest count as "other". */
    private static final int MAX_HOWS = 20;

    private static final long MILLI = 1_000;
    private static final long SECOND = 1_000 * MILLI;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long[] WIDTHS_MICROS = {
        MILLI, 10 * MILLI, 100 * MILLI, SECOND, 10 * SECOND, MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, DAY, 7 * DAY,
    };

    private int widthIndex;
    private final TreeMap<Long, Map<String, Long>> buckets = new TreeMap<>();
    private final TreeSet<String> hows = new TreeSet<>();

    void add(long timeMicros, String how) {
        if (hows.size() >= MAX_HOWS && !hows.contains(how)) {
            how = "other";
        }
        long width = WIDTHS_MICROS[widthIndex];
        buckets.computeIfAbsent(Math.floorDiv(timeMicros, width) * width, start -> new LinkedHashMap<>())
                .merge(how, 1L, Long::sum);
        hows.add(how);
        while (widthIndex < WIDTHS_MICROS.length - 1 && span() / WIDTHS_MICROS[widthIndex] >= MAX_BUCKETS) {
            widen();
        }
    }

    Summary.Timeline summary() {
        long width = WIDTHS_MICROS[widthIndex];
        List<Summary.TimeBucket> list = new ArrayList<>();
        buckets.forEach((start, counts) -> list.add(new Summary.TimeBucket(start, Map.copyOf(counts))));
        return new Summary.Timeline(width, List.copyOf(hows), list);
    }

    private long span() {
        return buckets.isEmpty() ? 0 : buckets.lastKey() - buckets.firstKey();
    }

    private void widen() {
        widthIndex++;
        long width = WIDTHS_MICROS[widthIndex];
        TreeMap<Long, Map<String, Long>> narrow = new TreeMap<>(buckets);
        buckets.clear();
        narrow.forEach((start, counts) -> {
            Map<String, Long> wide = buckets.computeIfAbsent(Math.floorDiv(start, width) * width, s -> new LinkedHashMap<>());
            counts.forEach((how, n) -> wide.merge(how, n, Long::sum));
        });
    }
}
