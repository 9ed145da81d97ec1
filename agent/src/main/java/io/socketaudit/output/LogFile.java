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

/**
 * The audit log on disk: created readable by its owner only, appended to, and rotated by size
 * ({@code audit.jsonl} is always the newest; {@code audit.jsonl.1} the one before, and so on).
 * Written by the writer thread only.
 */
final class LogFile implements AutoCloseable {

    private final Path path;
    private final long rotateSize;
    private final int keep;
    private CountingStream stream;
    private int part;

    LogFile(Path path, long rotateSize, int keep) {
        this.path = path;
        this.rotateSize = rotateSize;
        this.keep = keep;
    }

    /** Opens the file; throws when it cannot be written, so the agent can say so before the app runs. */
    void open() throws IOException {
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // appended to: an earlier run's lines stay
        } catch (UnsupportedOperationException e) {
            Files.createFile(path); // not a POSIX file system
        }
        // A FileOutputStream, not a channel: interrupting the writer thread must not close the log.
        stream = new CountingStream(new BufferedOutputStream(new FileOutputStream(path.toFile(), true), 1 << 16));
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
        return rotateSize > 0 && stream.count >= rotateSize;
    }

    /** Closes the current file, shifts the older ones up by one (dropping the oldest) and opens a new one. */
    void rotate() throws IOException {
        stream.close();
        Files.deleteIfExists(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    void flush() throws IOException {
        stream.flush();
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    private Path numbered(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
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
