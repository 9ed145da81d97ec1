package io.socketaudit.report;

import io.socketaudit.logformat.Operation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The words and numbers every rendering of the report uses the same way (text, HTML, one connection's life, the
 * progress line), so that a count or a side reads alike in each. Escaping stays with each format.
 */
final class Wording {

    private Wording() {
    }

    /** A count with thousands separators, the same in every locale. */
    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 1 line}, {@code 2 lines}. */
    static String plural(long n, String noun) {
        return number(n) + " " + noun + (n == 1 ? "" : "s");
    }

    /** Bytes as a person reads them: exact below 10 KiB, then in binary units with one decimal. */
    static String bytes(long n) {
        if (n < 10 * 1024) {
            return plural(n, "byte");
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        do {
            value /= 1024;
            unit++;
        } while (value >= 1024 && unit < units.length - 1);
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** The side an end was on, as a reader of an incident says it. */
    static String side(String role) {
        if (Operation.CONNECT.text().equals(role)) {
            return "the connecting side";
        }
        return Operation.ACCEPT.text().equals(role) ? "the accepting side" : "one side (connect or accept unknown)";
    }

    /** Why lines were skipped, for instance "1 malformed, 1 truncated last line". */
    static String skippedKinds(Summary.Problems p) {
        List<String> kinds = new ArrayList<>();
        addCount(kinds, p.malformedLines(), "malformed");
        addCount(kinds, p.truncatedLastLines(), "truncated last line");
        addCount(kinds, p.oversizedLines(), "too long");
        addCount(kinds, p.unknownEventLines(), "of an unknown event");
        return String.join(", ", kinds);
    }

    /** Adds {@code "n what"} to {@code parts} when there are any. */
    static void addCount(List<String> parts, long n, String what) {
        if (n > 0) {
            parts.add(number(n) + " " + what);
        }
    }

    /** The Unicode bidirectional formatting characters: marks, embeddings, overrides and isolates. */
    static boolean isBidiControl(char c) {
        return c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }
}
