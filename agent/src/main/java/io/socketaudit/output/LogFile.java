package io.socketaudit.output;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The audit log on disk: created readable by its owner only, appended to, and rotated by size
 * ({@code audit.jsonl} is always the newest; {@code audit.jsonl.1} the one before, and so on).
 * Written by the writer thread only.
 *
 * <p>A gzip log ({@code audit.jsonl.gz}, rotated to {@code audit.jsonl.1.gz} so that tools still know it) is
 * one gzip stream per file: {@link #flush()} ends a deflate block on a byte boundary (sync flush), so that a
 * reader sees every line written so far; closing or rotating writes the trailer. The rotation size counts
 * compressed bytes as the compressor hands them on (at the latest at each flush, so a file may exceed it by
 * what one batch compresses to). An existing gzip log is rotated aside rather than appended
 * to: if its writer was killed, its stream has no end, and nothing written after it could be read.
 */
final class LogFile implements AutoCloseable {

    private static final String GZIP_SUFFIX = ".gz";
    private static final int BUFFER_BYTES = 1 << 16;

    private final Path path;
    private final long rotateSize;
    private final int keep;
    private final boolean gzip;
    /** What reaches the file: compressed bytes when {@link #gzip}. */
    private CountingStream fileBytes;
    private OutputStream stream;
    private int part;

    /** @param path the log's name; with {@code gzip}, one that ends in {@code .gz} keeps that ending when rotated */
    LogFile(Path path, long rotateSize, int keep, boolean gzip) {
        this.path = path;
        this.rotateSize = rotateSize;
        this.keep = keep;
        this.gzip = gzip;
    }

    /** Opens the file; throws when it cannot be written, so the agent can say so before the app runs. */
    void open() throws IOException {
        if (gzip && Files.isRegularFile(path) && Files.size(path) > 0) {
            shiftRotated();
        }
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // appended to: an earlier run's lines stay
        } catch (UnsupportedOperationException e) {
            Files.createFile(path); // not a POSIX file system
        }
        // A FileOutputStream, not a channel: interrupting the writer thread must not close the log.
        fileBytes = new CountingStream(new BufferedOutputStream(new FileOutputStream(path.toFile(), true), BUFFER_BYTES));
        stream = gzip ? new FastGzipStream(fileBytes) : fileBytes;
        part++;
    }

    OutputStream stream() {
        return stream;
    }

    Path path() {
        return path;
    }

    /** 1 for the first file, one more for each rotation. */
    int part() {
        return part;
    }

    boolean isFull() {
        return rotateSize > 0 && fileBytes.count >= rotateSize;
    }

    /** Closes the current file (a gzip one with its trailer), shifts it and the older ones up by one and opens a new one. */
    void rotate() throws IOException {
        stream.close();
        shiftRotated();
        open();
    }

    /** Moves the current file to number 1 and each numbered one up by one, dropping the oldest. */
    private void shiftRotated() throws IOException {
        Files.deleteIfExists(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Hands everything written so far to the file; a gzip log's readers can then decompress all of it. */
    void flush() throws IOException {
        stream.flush();
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    /** {@code audit.jsonl.n}, or {@code audit.jsonl.n.gz} for a gzip log. */
    private Path numbered(int n) {
        String name = path.getFileName().toString();
        int end = gzip && name.endsWith(GZIP_SUFFIX) ? name.length() - GZIP_SUFFIX.length() : name.length();
        return path.resolveSibling(name.substring(0, end) + "." + n + name.substring(end));
    }

    /**
     * Deflate level 1 with a sync flush: on a churn log, level 1 deflates twice as fast as the default level 6
     * (about 300-370 against 150 MB/s on one thread) for 59 instead of 40 bytes per close (BENCHMARKS.md, "The
     * compressed log"); at 6, deflating 200,000 closes a second with their open lines would take over a core.
     */
    private static final class FastGzipStream extends GZIPOutputStream {
        FastGzipStream(OutputStream out) throws IOException {
            super(out, BUFFER_BYTES, true);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
