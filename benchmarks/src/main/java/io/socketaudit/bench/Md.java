package io.socketaudit.bench;

import java.util.List;
import java.util.Locale;

/** Markdown pieces and number formats for BENCHMARKS.md. */
final class Md {

    private Md() {
    }

    static String table(List<String> header, List<List<String>> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            b.append("---|");
        }
        b.append('\n');
        for (List<String> row : rows) {
            b.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return b.toString();
    }

    /** A number with thousands separators and {@code decimals} decimals; "n/a" when unknown. */
    static String num(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    static String ratio(double v) {
        return num(v, 3);
    }

    static String range(double min, double max, int decimals) {
        return num(min, decimals) + " – " + num(max, decimals);
    }

    static String met(Boolean met) {
        return met == null ? "not measured" : met ? "**met**" : "**not met**";
    }
}
