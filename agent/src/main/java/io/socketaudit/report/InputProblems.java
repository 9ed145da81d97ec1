package io.socketaudit.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What could not be read in the inputs. Counted, with a few examples of each kind, so the report
 * can say what it left out while analysing everything else.
 */
final class InputProblems {

    static final String MALFORMED = "malformed line";
    static final String TRUNCATED_LAST_LINE = "truncated last line";
    static final String OVERSIZED = "oversized line";
    static final String UNKNOWN_EVENT = "unknown event";
    static final String UNRESOLVED_STACK = "unknown stackId";

    private static final int EXAMPLES_PER_KIND = 3;
    private static final int EXCERPT_CHARS = 120;
    private static final int MAX_NAMES = 100;

    private final Map<String, Long> linesByKind = new LinkedHashMap<>();
    private final Map<String, Long> unknownEvents = new LinkedHashMap<>();
    private final Map<String, Long> unknownFields = new LinkedHashMap<>();
    private final List<String> damagedFiles = new ArrayList<>();
    private final List<Summary.ProblemExample> examples = new ArrayList<>();
    private final Map<String, Integer> examplesByKind = new LinkedHashMap<>();

    void count(String kind, String file, long line, String text) {
        linesByKind.merge(kind, 1L, Long::sum);
        int shown = examplesByKind.merge(kind, 1, Integer::sum);
        if (shown <= EXAMPLES_PER_KIND) {
            String excerpt = text.length() > EXCERPT_CHARS ? text.substring(0, EXCERPT_CHARS) + "..." : text;
            examples.add(new Summary.ProblemExample(kind, file, line, excerpt));
        }
    }

    void unknownEvent(String event, String file, long line, String text) {
        count(UNKNOWN_EVENT, file, line, text);
        countName(unknownEvents, event);
    }

    /** A field this version does not know, as {@code event.field}: the log is likely from a newer agent. */
    void unknownField(String event, String field) {
        countName(unknownFields, event + "." + field);
    }

    void damagedFile(String description) {
        damagedFiles.add(description);
    }

    private static void countName(Map<String, Long> counts, String name) {
        String key = counts.size() < MAX_NAMES || counts.containsKey(name) ? name : "(other)";
        counts.merge(key, 1L, Long::sum);
    }

    Summary.Problems summary() {
        return new Summary.Problems(
                linesByKind.getOrDefault(MALFORMED, 0L),
                linesByKind.getOrDefault(TRUNCATED_LAST_LINE, 0L),
                linesByKind.getOrDefault(OVERSIZED, 0L),
                linesByKind.getOrDefault(UNKNOWN_EVENT, 0L),
                linesByKind.getOrDefault(UNRESOLVED_STACK, 0L),
                Summary.sortedByCount(unknownEvents),
                Summary.sortedByCount(unknownFields),
                List.copyOf(damagedFiles),
                List.copyOf(examples));
    }
}
