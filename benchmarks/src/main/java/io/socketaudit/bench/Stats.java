package io.socketaudit.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Medians, spreads and ratios of repeated measurements. */
final class Stats {

    private Stats() {
    }

    /** The median; the mean of the two middle values for an even count; NaN for none. */
    static double median(List<Double> values) {
        List<Double> sorted = finite(values);
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double min(List<Double> values) {
        return finite(values).stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> values) {
        return finite(values).stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** {@code value / base}; NaN when either is unknown or the base is zero. */
    static double ratio(double value, double base) {
        if (Double.isNaN(value) || Double.isNaN(base) || base == 0) {
            return Double.NaN;
        }
        return value / base;
    }

    private static List<Double> finite(List<Double> values) {
        List<Double> out = new ArrayList<>();
        for (Double v : values) {
            if (v != null && !v.isNaN() && !v.isInfinite()) {
                out.add(v);
            }
        }
        return out;
    }
}
