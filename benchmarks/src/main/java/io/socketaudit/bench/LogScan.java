package io.socketaudit.bench;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * What an agent log (all its rotated files in one directory) holds, as the churn and writer benchmarks check
 * it. Files ending in {@code .gz} ({@code compress=gzip}) are decompressed to count their lines; {@code bytes}
 * is always what the files take on disk.
 */
record LogScan(long files, long bytes, long closeLines, long closeLineBytes, long connectionCloses, long openLines,
               long stackLines, long eventsWritten, long dropped, long agentErrors) {

    private static final Pattern STOP = Pattern.compile(
            "\"eventsWritten\":(\\d+),\"dropped\":(\\d+),\"agentErrors\":(\\d+)");

    /** Scans every file in {@code dir} whose name starts with {@code prefix}. */
    static LogScan of(Path dir, String prefix) throws IOException {
        Counts counts = new Counts();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (p.getFileName().toString().startsWith(prefix)) {
                    counts.files++;
                    counts.bytes += Files.size(p);
                    counts.scan(p);
                }
            }
        }
        return new LogScan(counts.files, counts.bytes, counts.closes, counts.closeBytes, counts.connectionCloses,
                counts.opens, counts.stacks, counts.written, counts.dropped, counts.errors);
    }

    private static final class Counts {
        long files;
        long bytes;
        long closes;
        long closeBytes;
        long connectionCloses;
        long opens;
        long stacks;
        long written = -1;
        long dropped = -1;
        long errors = -1;

        void scan(Path file) throws IOException {
            InputStream in = Files.newInputStream(file);
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new UpToMissingEnd(new GZIPInputStream(in, 1 << 16));
            }
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
                for (String line; (line = lines.readLine()) != null; ) {
                    count(line);
                }
            }
        }

        private void count(String line) {
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

    /**
     * Ends a gzip log whose agent did not stop (no trailer) where its data ends: its lines are counted, its
     * {@code agent_stop} is missing. Here, not around the reader, which would drop what it had decoded.
     */
    private static final class UpToMissingEnd extends FilterInputStream {
        UpToMissingEnd(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (EOFException e) {
                return -1;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (EOFException e) {
                return -1;
            }
        }
    }
}
