package io.socketaudit.report;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One input file, read line by line in bounded memory. Gzip is recognised by its magic bytes, so
 * {@code audit.jsonl.gz} is read directly. A line longer than {@link #MAX_LINE_BYTES} is skipped
 * rather than buffered, so a corrupt file without newlines cannot exhaust memory.
 */
final class LogInput implements AutoCloseable {

    static final int MAX_LINE_BYTES = 1 << 20;

    /** One line of the file, without its newline. */
    record Line(long number, String text, boolean terminated, boolean oversized) {
    }

    private final String name;
    private final long size;
    private final ByteCounter fileBytes;
    private final InputStream in;
    private final boolean gzip;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private byte[] lineBytes = new byte[1024];
    private long lineNumber;
    private boolean ended;
    /** Why reading stopped before the end of the file (a cut-off or corrupt gzip stream), or null. */
    private String damage;

    private LogInput(String name, long size, ByteCounter fileBytes, InputStream in, boolean gzip) {
        this.name = name;
        this.size = size;
        this.fileBytes = fileBytes;
        this.in = in;
        this.gzip = gzip;
    }

    static LogInput open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IOException("is a directory");
        }
        long size = Files.size(path);
        ByteCounter fileBytes = new ByteCounter(Files.newInputStream(path));
        try {
            PushbackInputStream peek = new PushbackInputStream(fileBytes, 2);
            byte[] magic = peek.readNBytes(2);
            peek.unread(magic);
            boolean gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
            InputStream in = gzip ? new GZIPInputStream(peek, 64 * 1024) : peek;
            return new LogInput(path.toString(), size, fileBytes, in, gzip);
        } catch (IOException e) {
            fileBytes.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    boolean gzip() {
        return gzip;
    }

    /** Size of the file on disk; with {@link #bytesRead()}, the progress of reading it. */
    long size() {
        return size;
    }

    long bytesRead() {
        return fileBytes.count;
    }

    String damage() {
        return damage;
    }

    /** The next line, or null at the end of the file. */
    Line next() throws IOException {
        if (ended) {
            return null;
        }
        int length = 0;
        boolean oversized = false;
        while (true) {
            if (position == limit && !fill()) {
                ended = true;
                if (length == 0 && !oversized) {
                    return null;
                }
                return line(length, false, oversized);
            }
            int newline = indexOfNewline();
            int end = newline < 0 ? limit : newline;
            int chunk = end - position;
            if (!oversized && length + chunk <= MAX_LINE_BYTES) {
                if (length + chunk > lineBytes.length) {
                    lineBytes = Arrays.copyOf(lineBytes, Math.min(MAX_LINE_BYTES, Math.max(length + chunk, lineBytes.length * 2)));
                }
                System.arraycopy(buffer, position, lineBytes, length, chunk);
                length += chunk;
            } else {
                oversized = true;
            }
            position = end;
            if (newline >= 0) {
                position++;
                return line(length, true, oversized);
            }
        }
    }

    private Line line(int length, boolean terminated, boolean oversized) {
        lineNumber++;
        if (oversized) {
            return new Line(lineNumber, "", terminated, true);
        }
        if (length > 0 && lineBytes[length - 1] == '\r') {
            length--;
        }
        return new Line(lineNumber, new String(lineBytes, 0, length, StandardCharsets.UTF_8), terminated, false);
    }

    private int indexOfNewline() {
        for (int i = position; i < limit; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private boolean fill() throws IOException {
        try {
            int n = in.read(buffer);
            if (n <= 0) {
                return false;
            }
            position = 0;
            limit = n;
            return true;
        } catch (EOFException e) {
            // The agent's gzip log is sync-flushed after every batch: when its JVM was killed, or while it is
            // still written, every line before the missing end can be read.
            damage = "gzip stream ends without its trailer after line " + lineNumber
                    + " (the agent was killed, or is still writing); every line up to there was read";
            return false;
        } catch (ZipException e) {
            damage = "gzip stream corrupt after line " + lineNumber + " (" + e.getMessage() + ")";
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Counts the bytes read from the file itself, before any decompression. */
    private static final class ByteCounter extends FilterInputStream {
        private long count;

        ByteCounter(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
