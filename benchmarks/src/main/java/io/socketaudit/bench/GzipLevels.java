package io.socketaudit.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * What {@code compress=gzip} costs and saves on a real log, at deflate levels 1 and 6: a plain log (a churn
 * run's, say) is compressed in memory the way the agent writes it, one write per line and a sync flush after
 * every {@code batch} lines (the writer flushes after each batch it takes from the queue: 4,096 lines when
 * busy, a single line when events come one at a time). Prints, per level and batch size, the compressed bytes
 * per close line and the deflate speed in MB of log per second of one thread (median of the timed passes).
 * Run it on an otherwise idle machine; it does not run as part of {@code benchmarks/run.sh}.
 *
 * <pre>
 * java -cp benchmarks/target/socket-audit-benchmarks.jar io.socketaudit.bench.GzipLevels PLAIN_LOG [passes]
 * </pre>
 */
public final class GzipLevels {

    private static final int[] LEVELS = {Deflater.BEST_SPEED, Deflater.DEFAULT_COMPRESSION};
    private static final int[] BATCHES = {4096, 64, 1};
    private static final int WARM_UP_PASSES = 2;

    private GzipLevels() {
    }

    public static void main(String[] args) throws IOException {
        Path log = Path.of(args[0]);
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<byte[]> lines = new ArrayList<>();
        long closeLines = 0;
        long plainBytes = 0;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            lines.add(bytes);
            plainBytes += bytes.length;
            if (line.startsWith("{\"event\":\"close\"")) {
                closeLines++;
            }
        }
        if (closeLines == 0) {
            throw new IllegalArgumentException(log + " has no close lines");
        }
        System.out.printf("%s: %,d lines, %,d close lines, %,d bytes plain (%.0f per close line)%n", log, lines.size(),
                closeLines, plainBytes, (double) plainBytes / closeLines);
        System.out.println("level  batch  bytes/close  ratio  MB/s (median)");
        for (int level : LEVELS) {
            for (int batch : BATCHES) {
                long compressed = 0;
                List<Double> rates = new ArrayList<>();
                for (int pass = 0; pass < WARM_UP_PASSES + passes; pass++) {
                    long t0 = System.nanoTime();
                    compressed = compress(lines, level, batch);
                    long took = System.nanoTime() - t0;
                    if (pass >= WARM_UP_PASSES) {
                        rates.add(plainBytes / 1e6 / (took / 1e9));
                    }
                }
                Collections.sort(rates);
                System.out.printf("%5d  %5d  %11.0f  %5.1f  %13.0f%n", level == Deflater.DEFAULT_COMPRESSION ? 6 : level,
                        batch, (double) compressed / closeLines, (double) plainBytes / compressed, rates.get(rates.size() / 2));
            }
        }
    }

    /** Compresses as the agent's log does; returns the gzip stream's length. */
    private static long compress(List<byte[]> lines, int level, int batch) throws IOException {
        CountingSink sink = new CountingSink();
        try (GZIPOutputStream gzip = new GZIPOutputStream(sink, 1 << 16, true) {
            {
                def.setLevel(level);
            }
        }) {
            for (int i = 0; i < lines.size(); i++) {
                gzip.write(lines.get(i));
                if ((i + 1) % batch == 0) {
                    gzip.flush();
                }
            }
        }
        return sink.count;
    }

    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
