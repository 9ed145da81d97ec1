package io.socketaudit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What an agent log (all its rotated files in one directory) holds, as the churn benchmark checks it. */
record LogScan(long files, long bytes, long closeLines, long closeLineBytes, long connectionCloses, long openLines,
               long stackLines, long eventsWritten, long dropped, long agentErrors) {

    private static final Pattern STOP = Pattern.compile(
            "\"eventsWritten\":(\\d+),\"dropped\":(\\d+),\"agentErrors\":(\\d+)");

    /** Scans every file in {@code dir} whose name starts with {@code prefix}. */
    static LogScan of(Path dir, String prefix) throws IOException {
        long files = 0;
        long bytes = 0;
        long closes = 0;
        long closeBytes = 0;
        long connectionCloses = 0;
        long opens = 0;
        long stacks = 0;
        long written = -1;
        long dropped = -1;
        long errors = -1;
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (!p.getFileName().toString().startsWith(prefix)) {
                    continue;
                }
                files++;
                bytes += Files.size(p);
                try (Stream<String> lines = Files.lines(p)) {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (line.startsWith("{\"event\":\"close\"")) {
                            closes++;
                            closeBytes += line.length() + 1;
                            if (line.contains("\"api\":\"Socket\"")) {
                                connectionCloses++;
                            }
                        } else if (line.startsWith("{\"event\":\"open\"")) {
                            opens++;
                        } else if (line.startsWith("{\"event\":\"stack\"")) {
                            stacks++;
                        } else if (line.startsWith("{\"event\":\"agent_stop\"")) {
                            Matcher m = STOP.matcher(line);
                            if (m.find()) {
                                written = Long.parseLong(m.group(1));
                                dropped = Long.parseLong(m.group(2));
                                errors = Long.parseLong(m.group(3));
                            }
                        }
                    }
                }
            }
        }
        return new LogScan(files, bytes, closes, closeBytes, connectionCloses, opens, stacks, written, dropped, errors);
    }
}
