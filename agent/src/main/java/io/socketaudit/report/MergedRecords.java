package io.socketaudit.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The records of all inputs, in time order. Reading the files side by side rather than one after
 * the other is what lets the two ends of a connection, logged by two JVMs, meet while only the
 * connections still waiting for their other end are held in memory.
 */
final class MergedRecords {

    /** Reading a file failed part way: the command reports it as that file's failure. */
    static final class InputReadException extends IOException {
        private final String file;

        InputReadException(String file, IOException cause) {
            super(cause.getMessage(), cause);
            this.file = file;
        }

        String file() {
            return file;
        }
    }

    private record Head(LogRecord record, long sequence) {
    }

    private final List<LogInput> inputs;
    private final List<LogParser> parsers = new ArrayList<>();
    private final InputProblems problems;
    private final PriorityQueue<Head> heads = new PriorityQueue<>(Comparator
            .comparingLong((Head h) -> h.record().timeMicros())
            .thenComparingInt(h -> h.record().input())
            .thenComparingLong(Head::sequence));
    private long sequence;

    MergedRecords(List<LogInput> inputs, InputProblems problems, boolean byApplication) throws IOException {
        this.inputs = inputs;
        this.problems = problems;
        for (int i = 0; i < inputs.size(); i++) {
            parsers.add(new LogParser(i, inputs.get(i).name(), problems, byApplication));
        }
        for (int i = 0; i < inputs.size(); i++) {
            advance(i);
        }
    }

    /** The earliest record not yet returned, or null when every input is exhausted. */
    LogRecord next() throws IOException {
        Head head = heads.poll();
        if (head == null) {
            return null;
        }
        advance(head.record().input());
        return head.record();
    }

    long bytesRead() {
        long total = 0;
        for (LogInput input : inputs) {
            total += input.bytesRead();
        }
        return total;
    }

    long totalBytes() {
        long total = 0;
        for (LogInput input : inputs) {
            total += input.size();
        }
        return total;
    }

    /** Usable lines per known {@code event}, all inputs together. */
    Map<String, Long> linesByEvent() {
        Map<String, Long> counts = new LinkedHashMap<>();
        parsers.forEach(parser -> parser.linesByEvent().forEach((event, n) -> counts.merge(event, n, Long::sum)));
        return Summary.sortedByCount(counts);
    }

    /** What each input held; complete once {@link #next()} has returned null. */
    List<Summary.InputFile> inputFiles() {
        List<Summary.InputFile> files = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            LogInput input = inputs.get(i);
            LogParser parser = parsers.get(i);
            files.add(new Summary.InputFile(input.name(), input.gzip(), parser.lines(), parser.records(), parser.runs(),
                    input.damage()));
        }
        return files;
    }

    private void advance(int index) throws IOException {
        LogInput input = inputs.get(index);
        LogParser parser = parsers.get(index);
        try {
            for (LogInput.Line line = input.next(); line != null; line = input.next()) {
                LogRecord record = parser.parse(line);
                if (record != null) {
                    heads.add(new Head(record, sequence++));
                    return;
                }
            }
        } catch (IOException e) {
            throw new InputReadException(input.name(), e);
        }
        if (input.damage() != null) {
            problems.damagedFile(input.name() + ": " + input.damage());
        }
    }
}
