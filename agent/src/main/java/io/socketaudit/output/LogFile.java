package io.socketaudit.output;

import io.socketaudit.kernel.NativeLibrary;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The audit log on disk: created readable by its owner only, appended to, and rotated by size
 * ({@code audit.jsonl} is always the newest; {@code audit.jsonl.1} the one before, and so on).
 * Written by the writer thread only.
 *
 * <p>The JVM may run as root and the log may sit in a directory other users can write to, so the file is
 * opened once, without following links, and checked before anything is written: a regular file, owned by
 * this process's user, with one link, not writable by group or others. It is never opened again by name
 * while it is in use; a rotation renames it and creates the next file exclusively. The open follows no link
 * and creates nothing where something exists; the name is checked before it ({@code lstat}), and what was
 * opened after it: by {@code fstat} of the descriptor where the agent's native library is loaded (it must also
 * be the file the name leads to), else by a second {@code lstat} that must find the same file (a file swapped
 * in and out again between the two is then not seen: that takes write access to the directory and exact
 * timing). The open is for reading and writing, which on Linux never blocks on a FIFO, so that a FIFO swapped
 * in after the first check cannot hang the start.
 *
 * <p>Lines are collected in memory and handed to the file whole, at {@link #flush()} or when
 * {@value #BUFFER_BYTES} bytes are waiting. A write that fails (disk full, directory gone) loses what was
 * waiting, and the caller counts it; before the next write the file is cut back to the end of its last
 * complete write, so it never holds half a line, nor a line twice. A file that disappeared, or was replaced
 * under its name, is created anew.
 *
 * <p>A gzip log ({@code audit.jsonl.gz}, rotated to {@code audit.jsonl.1.gz} so that tools still know it) is
 * one gzip stream per file: {@link #flush()} ends a deflate block on a byte boundary (sync flush), so that a
 * reader sees every line written so far; closing or rotating writes the trailer. After a failed write the
 * stream is ended where the file was cut back and a new one (a gzip member, which gzip readers read on)
 * begins. The rotation size counts compressed bytes. An existing gzip log is rotated aside rather than
 * appended to: if its writer was killed, its stream has no end, and nothing written after it could be read.
 */
final class LogFile implements AutoCloseable {

    private static final String GZIP_SUFFIX = ".gz";
    static final int BUFFER_BYTES = 1 << 16;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /**
     * No O_APPEND: the writer is the file's only writer and writes at the end it knows, {@link #committed}. Read and
     * write (O_RDWR): opening a FIFO so does not wait for a reader.
     */
    private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> EXISTING = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    /** Where fstat0 puts each value; mirrors the C source's OUT_ constants. */
    private static final int STATUS_MODE = 0;
    private static final int STATUS_UID = 1;
    private static final int STATUS_NLINK = 2;
    private static final int STATUS_DEV = 3;
    private static final int STATUS_INO = 4;
    private static final int STATUS_OWN_UID = 5;
    private static final int STATUS_LENGTH = 6;
    private static final long S_IFMT = 0170000;
    private static final long S_IFREG = 0100000;
    private static final long S_IFDIR = 0040000;
    private static final long S_IFLNK = 0120000;
    private static final int ENOSPC = 28;
    /**
     * Bytes kept allocated past the file's end for its last lines ({@code agent_stop}, the last loss counts), where
     * the native library is loaded and the file system can allocate ahead: once the file has that room, lines that
     * would take it are refused (and counted lost) rather than written.
     */
    static final int ROOM_FOR_LAST_LINES = 64 * 1024;
    /**
     * How far ahead of what a write needs the file's blocks are allocated: one allocation serves many flushes, where
     * one per flush cost the writer a system call and a journal update each time.
     */
    static final int ALLOCATION_STEP = 1 << 20;
    /** A final, empty stored deflate block: ends a stream cut back to a sync-flush point. */
    private static final byte[] FINAL_EMPTY_BLOCK = {1, 0, 0, (byte) 0xff, (byte) 0xff};

    private final Path path;
    private final long rotateSize;
    private final int keep;
    private final boolean gzip;
    /** Complete lines (compressed, for gzip) not yet handed to the file. */
    private final Pending pending = new Pending();
    private FileChannel channel;
    /** Device and inode of the open file, to know whether its name still leads to it. */
    private Object fileKey;
    /** The current file's name: {@link #path}, or its first rotated name while no new file could be created. */
    private Path current;
    private OutputStream stream;
    /** The file's length up to the end of the last write that completed. */
    private long committed;
    /** Whether the gzip stream's start is in the file, and its checksum and length up to {@link #committed}. */
    private boolean streamCommitted;
    private long committedCrc;
    private long committedInput;
    /** Whether room can be allocated ahead here (see {@link #ROOM_FOR_LAST_LINES}). */
    private boolean allocatesAhead;
    /** Whether the file holds the room for its last lines, and whether the lines being written are those. */
    private boolean roomKept;
    private boolean lastLines;
    /** The offset up to which the file's blocks are allocated, past its end where room is kept ahead. */
    private long allocatedTo;
    /** A write failed: cut back (or create the file anew) before the next. */
    private boolean damaged;
    private int part;

    /** @param path the log's name; with {@code gzip}, one that ends in {@code .gz} keeps that ending when rotated */
    LogFile(Path path, long rotateSize, int keep, boolean gzip) {
        this.path = path;
        this.rotateSize = rotateSize;
        this.keep = keep;
        this.gzip = gzip;
    }

    /**
     * Opens the file; throws, naming the problem, when it cannot or must not be written. What an appended file
     * already holds counts toward its rotation size, so one that an earlier run left full is rotated aside before
     * anything is written to it rather than taking this run's start line and first events.
     */
    void open() throws IOException {
        PosixFileAttributes existing = attributesOf(path);
        if (existing != null) {
            refuseUnsafe(path, existing);
            if (gzip && existing.size() > 0) {
                shiftRotated();
                existing = null;
            } else if (rotateSize > 0 && existing.size() >= rotateSize && rotatedAsideAtOpen()) {
                existing = null;
            }
        }
        openAt(path, existing);
    }

    /**
     * Moves a plain log that is full already to number 1. When it cannot be moved it is appended to, as before: it is
     * full, so the first rotation after the start tries again and reports why it fails.
     */
    private boolean rotatedAsideAtOpen() {
        try {
            shiftRotated();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens (appends to) the file {@code existing} describes, or creates it when {@code null}. */
    private void openAt(Path name, PosixFileAttributes existing) throws IOException {
        FileChannel opened;
        if (existing == null) {
            opened = createNew(name);
        } else {
            opened = FileChannel.open(name, EXISTING);
        }
        try {
            PosixFileAttributes after = attributesOf(name);
            if (after == null || (existing != null && !after.fileKey().equals(existing.fileKey()))) {
                throw new IOException(name + " was replaced while it was opened");
            }
            long[] status = openedFileStatus(opened);
            if (status == null) {
                refuseUnsafe(name, after);
            } else {
                refuseUnsafe(name, after, status);
            }
            fileKey = after.fileKey();
            committed = opened.size();
            if (!gzip && committed > 0 && !endsWithNewline(opened, committed)) {
                // An earlier writer was killed mid-line: this run's first line must not be spliced onto it.
                opened.write(ByteBuffer.wrap(new byte[] {'\n'}), committed);
                committed++;
            }
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        channel = opened;
        current = name;
        allocatesAhead = NativeLibrary.isLoaded();
        roomKept = false;
        allocatedTo = committed;
        keepRoom(0);
        startStream();
        part++;
    }

    private static FileChannel createNew(Path name) throws IOException {
        try {
            return FileChannel.open(name, CREATE, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(name, CREATE); // not a POSIX file system
        }
    }

    /** Refuses anything but a regular file of this user's, with one link, that nobody else may write. */
    private static void refuseUnsafe(Path name, PosixFileAttributes file) throws IOException {
        String type = file.isSymbolicLink() ? "a symbolic link" : file.isDirectory() ? "a directory"
                : file.isOther() ? "a FIFO, socket or device, not a regular file" : null;
        refuseUnsafe(name, type, type == null && isOwnUser(name, file), file.owner().getName(), file.permissions(),
                type == null ? linkCount(name) : 1);
    }

    /**
     * The same, from the open descriptor's own status, which the name's cannot stand in for: the name is checked
     * to lead to the same file ({@code named}, its attributes without following links), for rotation to rename.
     */
    private static void refuseUnsafe(Path name, PosixFileAttributes named, long[] status) throws IOException {
        long format = status[STATUS_MODE] & S_IFMT;
        String type = format == S_IFLNK ? "a symbolic link" : format == S_IFDIR ? "a directory"
                : format != S_IFREG ? "a FIFO, socket or device, not a regular file" : null;
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : PosixFilePermission.values()) { // declared from owner read to others execute
            if ((status[STATUS_MODE] & (0400 >> permission.ordinal())) != 0) {
                permissions.add(permission);
            }
        }
        refuseUnsafe(name, type, status[STATUS_UID] == status[STATUS_OWN_UID], named.owner().getName(), permissions,
                status[STATUS_NLINK]);
        Map<String, Object> id = Files.readAttributes(name, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        if (!id.get("dev").equals(status[STATUS_DEV]) || !id.get("ino").equals(status[STATUS_INO])) {
            throw new IOException(name + " was replaced while it was opened");
        }
    }

    private static void refuseUnsafe(Path name, String notRegular, boolean ownUser, String owner,
                                     Set<PosixFilePermission> permissions, long links) throws IOException {
        String problem;
        if (notRegular != null) {
            problem = notRegular;
        } else if (!ownUser) {
            problem = "owned by " + owner + ", not by this process's user";
        } else if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            problem = "writable by others (" + PosixFilePermissions.toString(permissions) + ")";
        } else if (links != 1) {
            problem = "a file with " + links + " hard links";
        } else {
            return;
        }
        throw new IOException(name + " is " + problem + "; the agent writes only to a regular file of its own");
    }

    /**
     * The open file's status ({@code fstat}), from the agent's native library where it is loaded; {@code null}
     * elsewhere, and the checks fall back on the name's attributes.
     */
    private static long[] openedFileStatus(FileChannel channel) throws IOException {
        if (!NativeLibrary.isLoaded()) {
            return null;
        }
        long[] status = new long[STATUS_LENGTH];
        int error = fstat0(channel, status);
        if (error != 0) {
            throw new IOException("cannot read the status of the open log (errno " + error + ")");
        }
        return status;
    }

    /** Fills {@code status} as the STATUS_ constants say; returns 0 or an errno value. */
    private static native int fstat0(FileChannel channel, long[] status);

    /** Compares user ids where the platform tells them (Linux: the owner of /proc/self), else user names. */
    private static boolean isOwnUser(Path name, PosixFileAttributes file) throws IOException {
        try {
            Object ownUid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return ownUid.equals(Files.getAttribute(name, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return file.owner().getName().equals(System.getProperty("user.name"));
        }
    }

    private static int linkCount(Path name) throws IOException {
        try {
            return (Integer) Files.getAttribute(name, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return 1; // no unix view: hard links cannot be told
        }
    }

    /** The attributes of {@code name} itself (a link is not followed), {@code null} when nothing is there. */
    private static PosixFileAttributes attributesOf(Path name) throws IOException {
        try {
            return Files.readAttributes(name, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static boolean endsWithNewline(FileChannel file, long size) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        return file.read(last, size - 1) == 1 && last.get(0) == '\n';
    }

    /** A gzip log begins a new stream (its header goes into the waiting bytes). */
    private void startStream() throws IOException {
        if (stream instanceof FastGzipStream previous) {
            previous.release(); // its native memory, now rather than when the collector gets to it
        }
        stream = gzip ? new FastGzipStream(pending) : pending;
        streamCommitted = false;
    }

    OutputStream stream() {
        return stream;
    }

    Path path() {
        return path;
    }

    /** 1 for the first file, one more for each rotation or file created anew. */
    int part() {
        return part;
    }

    /** Whether enough lines wait to be handed to the file now rather than at the end of the batch. */
    boolean hasFullBuffer() {
        return pending.size() >= BUFFER_BYTES;
    }

    boolean isFull() {
        return rotateSize > 0 && committed + pending.size() >= rotateSize;
    }

    /**
     * Hands the waiting lines to the file and starts the next; the old file keeps its name plus {@code .1}. When the
     * old one cannot be renamed, or the new one not created, lines go on into the old one and the problem is thrown
     * as a {@link RotationException}; the next call tries again. Any other exception is a failed write.
     */
    void rotate() throws IOException {
        flush();
        if (current.equals(path)) {
            try {
                shiftRotated();
            } catch (IOException e) {
                throw new RotationException("cannot rotate " + path + " (" + e + "); writing on into it", e);
            }
            current = numbered(1);
        }
        if (gzip) {
            stream.close(); // the trailer, into the renamed file
            writePending();
        }
        FileChannel previous = channel;
        long previousEnd = committed;
        long previousAllocatedTo = allocatedTo;
        try {
            openAt(path, null);
        } catch (IOException e) {
            if (gzip) {
                startStream(); // a new member of the old file
            }
            throw new RotationException("cannot create " + path + " after rotating (" + e + "); writing on into "
                    + current, e);
        }
        releaseRoom(previous, previousEnd, previousAllocatedTo);
        previous.close();
    }

    /** Moves the current file to number 1 and each numbered one up by one, dropping the oldest. */
    private void shiftRotated() throws IOException {
        deleteIfRegular(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (isRegular(numbered(i))) {
                moveOnto(numbered(i), numbered(i + 1));
            }
        }
        moveOnto(path, numbered(1));
    }

    /** A rename, which replaces a file or link at {@code target} (never what a link leads to) and nothing else. */
    private static void moveOnto(Path source, Path target) throws IOException {
        PosixFileAttributes there = attributesOf(target);
        if (there != null && (there.isDirectory() || there.isOther())) {
            throw new IOException(target + " is " + (there.isDirectory() ? "a directory" : "not a regular file"));
        }
        Files.move(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean isRegular(Path name) {
        return Files.isRegularFile(name, LinkOption.NOFOLLOW_LINKS);
    }

    private static void deleteIfRegular(Path name) throws IOException {
        PosixFileAttributes there = attributesOf(name);
        if (there != null && (there.isRegularFile() || there.isSymbolicLink())) {
            Files.delete(name); // a link itself, not what it leads to
        }
    }

    /**
     * Hands everything written so far to the file; a gzip log's readers can then decompress all of it. When that
     * fails, what was waiting is lost (the caller counts it) and the file is repaired before the next write.
     */
    void flush() throws IOException {
        stream.flush();
        writePending();
    }

    private void writePending() throws IOException {
        try {
            if (damaged) {
                throw new IOException("the log " + current + " is not repaired yet");
            }
            if (!stillLeadsToOpenFile()) {
                throw new IOException("the log " + current + " was deleted or replaced");
            }
            if (!keepRoom(pending.size())) {
                throw new IOException("No space left on device (the room kept for the log's last lines is not used)");
            }
            writeAtEnd(ByteBuffer.wrap(pending.bytes(), 0, pending.size()));
            if (stream instanceof FastGzipStream compressing) {
                // A stream with its trailer in the file needs no end when the file is cut back.
                streamCommitted = !compressing.ended;
                if (streamCommitted) {
                    committedCrc = compressing.crc();
                    committedInput = compressing.inputBytes();
                }
            }
        } catch (IOException | RuntimeException e) {
            damaged = true;
            throw e;
        } finally {
            pending.reset();
        }
    }

    /** Writes all of {@code bytes} after the last complete write; only then do they count as written. */
    private void writeAtEnd(ByteBuffer bytes) throws IOException {
        long at = committed;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
        committed = at;
    }

    /**
     * Allocates room for {@code bytes} more, and the room for the last lines beyond them unless these are the last.
     *
     * @return false when the disk lacks the space and the file holds the room for its last lines: the write must
     *         not take it
     */
    private boolean keepRoom(int bytes) {
        if (!allocatesAhead) {
            return true;
        }
        long needed = committed + bytes + (lastLines ? 0 : ROOM_FOR_LAST_LINES);
        if (needed <= allocatedTo) {
            roomKept = !lastLines;
            return true;
        }
        int error = allocate(lastLines ? needed : needed + ALLOCATION_STEP);
        if (error == ENOSPC && !lastLines) {
            error = allocate(needed); // a nearly full disk may still have what this write needs
        }
        if (error == 0) {
            roomKept = !lastLines;
            return true;
        }
        if (error != ENOSPC) {
            allocatesAhead = false; // this file system cannot: written as it comes
            return true;
        }
        return lastLines || !roomKept;
    }

    /** Allocates the file's blocks from its end up to {@code to}; 0 or an errno value. */
    private int allocate(long to) {
        int error = allocate0(channel, committed, to - committed, false);
        if (error == 0) {
            allocatedTo = to;
        }
        return error;
    }

    /** From now on the lines written may use the room kept for them. */
    void useRoomForLastLines() {
        lastLines = true;
    }

    /** Gives back the blocks allocated past the end of a file that is left. */
    private void releaseRoom(FileChannel file, long end, long allocatedEnd) {
        if (allocatesAhead && allocatedEnd > end) {
            allocate0(file, end, allocatedEnd - end, true);
        }
    }

    /** Allocates ({@code release}: gives back) the file's blocks without changing its size; 0 or an errno value. */
    private static native int allocate0(FileChannel channel, long offset, long length, boolean release);

    /** Whether a write failed and {@link #repair()} must run before the next. */
    boolean isDamaged() {
        return damaged;
    }

    /** Whether the name still leads to the file this writes (it can be deleted, or replaced, under it). */
    private boolean stillLeadsToOpenFile() throws IOException {
        PosixFileAttributes now = attributesOf(current);
        return now != null && now.fileKey().equals(fileKey) && channel.isOpen();
    }

    /**
     * Cuts the file back to the end of its last complete write, or creates it anew when its name no longer leads
     * to it (deleted, its directory replaced).
     *
     * @return whether a new file was started, which needs its {@code agent_start} line
     */
    boolean repair() throws IOException {
        Thread.interrupted(); // an interrupt closed the channel: the next attempt must not fail for it too
        PosixFileAttributes now = attributesOf(current);
        if (now == null || !now.fileKey().equals(fileKey)) {
            FileChannel previous = channel;
            pending.reset();
            openAt(path, null);
            previous.close();
            damaged = false;
            return true;
        }
        if (!channel.isOpen()) {
            FileChannel reopened = FileChannel.open(current, EXISTING);
            PosixFileAttributes after = attributesOf(current);
            if (after == null || !after.fileKey().equals(fileKey)) {
                reopened.close();
                throw new IOException(current + " was replaced while it was opened again");
            }
            channel = reopened;
        }
        channel.truncate(committed);
        pending.reset();
        if (gzip) {
            if (streamCommitted) {
                endStreamAtCommitted();
            }
            startStream();
        }
        damaged = false;
        return false;
    }

    /** Ends the gzip stream where the file was cut back, so that all it holds stays readable. */
    private void endStreamAtCommitted() throws IOException {
        ByteBuffer end = ByteBuffer.allocate(FINAL_EMPTY_BLOCK.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        end.put(FINAL_EMPTY_BLOCK).putInt((int) committedCrc).putInt((int) committedInput).flip();
        writeAtEnd(end);
    }

    @Override
    public void close() throws IOException {
        try {
            stream.close();
            writePending();
            releaseRoom(channel, committed, allocatedTo);
        } finally {
            channel.close();
        }
    }

    /** {@code audit.jsonl.n}, or {@code audit.jsonl.n.gz} for a gzip log. */
    private Path numbered(int n) {
        String name = path.getFileName().toString();
        int end = gzip && name.endsWith(GZIP_SUFFIX) ? name.length() - GZIP_SUFFIX.length() : name.length();
        return path.resolveSibling(name.substring(0, end) + "." + n + name.substring(end));
    }

    /** The rotation could not be done; the log goes on in the file it was writing. */
    static final class RotationException extends IOException {
        RotationException(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** Bytes waiting for the file, readable in place. */
    private static final class Pending extends ByteArrayOutputStream {
        Pending() {
            super(BUFFER_BYTES + 4096);
        }

        byte[] bytes() {
            return buf;
        }

        @Override
        public void close() {
            // closing the gzip stream must leave this usable
        }
    }

    /**
     * Deflate level 1 with a sync flush: on a churn log, level 1 deflates twice as fast as the default level 6
     * (about 300-370 against 150 MB/s on one thread) for 59 instead of 40 bytes per close (BENCHMARKS.md, "The
     * compressed log"); at 6, deflating 200,000 closes a second with their open lines would take over a core.
     */
    private static final class FastGzipStream extends GZIPOutputStream {
        /** The trailer is written: no more input, and the deflater may be released. */
        boolean ended;

        FastGzipStream(OutputStream out) throws IOException {
            super(out, BUFFER_BYTES, true);
            def.setLevel(Deflater.BEST_SPEED);
        }

        @Override
        public void finish() throws IOException {
            super.finish();
            ended = true;
        }

        long crc() {
            return crc.getValue();
        }

        void release() {
            def.end();
        }

        long inputBytes() {
            return def.getBytesRead();
        }
    }
}
