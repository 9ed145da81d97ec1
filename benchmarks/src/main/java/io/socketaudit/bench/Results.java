package io.socketaudit.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one line a measured child JVM prints for the harness: {@code RESULT key=value key=value ...}, values
 * without spaces.
 */
public final class Results {

    static final String PREFIX = "RESULT ";

    private Results() {
    }

    /** Prints alternating keys and values as one result line and flushes. */
    public static void print(Object... keysAndValues) {
        StringBuilder line = new StringBuilder(PREFIX);
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (i > 0) {
                line.append(' ');
            }
            line.append(keysAndValues[i]).append('=').append(format(keysAndValues[i + 1]));
        }
        System.out.println(line);
        System.out.flush();
    }

    static String format(Object value) {
        if (value instanceof Double d) {
            return String.format(Locale.ROOT, "%.6f", d);
        }
        return String.valueOf(value).replace(' ', '_');
    }

    /** The values of the last result line in a child's output; empty when there is none. */
    public static Map<String, String> parse(String output) {
        List<Map<String, String>> all = parseAll(output);
        return all.isEmpty() ? new LinkedHashMap<>() : all.get(all.size() - 1);
    }

    /** The values of every result line in a child's output, in order. */
    public static List<Map<String, String>> parseAll(String output) {
        List<Map<String, String>> all = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.startsWith(PREFIX)) {
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String pair : line.substring(PREFIX.length()).trim().split(" +")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            all.add(values);
        }
        return all;
    }
}
