package io.socketaudit.output;

import io.socketaudit.kernel.BuiltLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogFileTest {

    private static final long ROTATE_SIZE = 64 * 1024;

    @TempDir
    Path dir;

    /** A log line like the agent's: repetitive, as JSON is, with numbers that change from line to line. */
    private static String line(int i) {
        return "{\"event\":\"close\",\"time\":\"2026-11-26T16:12:" + (i % 60) + "." + (i * 7919 % 1_000_000)
                + "Z\",\"pid\":77,\"conn\":" + i + ",\"local\":\"127.0.0.1:" + (32768 + i * 31 % 28000)
                + "\",\"remote\":\"127.0.0.1:8080\",\"bytesIn\":" + (i * 104729 % 65536) + "}\n";
    }

    private static void write(LogFile file, String text) throws IOException {
        file.stream().write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes lines {@code from} to {@code from + count - 1}; returns them. */
    private static String writeLines(LogFile file, int from, int count) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            text.append(line(i));
            write(file, line(i));
        }
        return text.toString();
    }

    /** A log file, keeping 3 rotated ones, opened as the agent opens it. */
    private static LogFile opened(Path path, long rotateSize, boolean gzip) throws IOException {
        LogFile file = new LogFile(path, rotateSize, 3, gzip);
        file.open();
        return file;
    }

    /** The whole file decompressed; fails when the stream is not complete (no trailer). */
    private static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** What a reader gets from a gzip stream still being written: all it can decompress, then the missing end. */
    private static String gunzipUnfinished(byte[] bytes) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            EOFException end = assertThrows(EOFException.class, () -> {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    text.write(buffer, 0, n);
                }
            });
            assertEquals("Unexpected end of ZLIB input stream", end.getMessage());
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    @Test
    void gzipLogIsOneCompleteStreamReadableByItsOwnerOnly() throws IOException {
        Path path = dir.resolve("audit.jsonl.gz");
        LogFile file = opened(path, 0, true);
        String written = writeLines(file, 0, 1000);
        file.close();

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        assertEquals(written, gunzip(path));
        assertTrue(Files.size(path) * 4 < written.length(), "compressed: " + Files.size(path) + " bytes");
    }

    @Test
    void everyFlushedLineIsReadableWhileTheFileIsStillOpen() throws IOException {
        Path path = dir.resolve("audit.jsonl.gz");
        LogFile file = opened(path, 0, true);
        StringBuilder flushed = new StringBuilder();
        for (int batch = 0; batch < 3; batch++) {
            flushed.append(writeLines(file, batch * 50, 50));
            file.flush();
            // As a reader (zcat, the report) sees the file now, or after the JVM was killed.
            assertEquals(flushed.toString(), gunzipUnfinished(Files.readAllBytes(path)), "after batch " + batch);
        }
        file.close();
        assertEquals(flushed.toString(), gunzip(path));
    }

    @Test
    void rotationFinishesEachGzipFileAndCountsCompressedBytes() throws IOException {
        Path path = dir.resolve("audit.jsonl.gz");
        LogFile file = opened(path, ROTATE_SIZE, true);
        int lines = 0;
        while (file.part() < 6) {
            write(file, line(lines++));
            if (lines % 20 == 0) {
                file.flush(); // as the writer does after each batch
            }
            if (file.isFull()) {
                file.rotate();
            }
        }
        file.close();

        try (var names = Files.list(dir)) {
            assertEquals(List.of("audit.jsonl.1.gz", "audit.jsonl.2.gz", "audit.jsonl.3.gz", "audit.jsonl.gz"),
                    names.map(p -> p.getFileName().toString()).sorted().toList(), "rotate.keep=3, names that stay .gz");
        }
        for (int n = 1; n <= 3; n++) {
            Path rotated = dir.resolve("audit.jsonl." + n + ".gz");
            long onDisk = Files.size(rotated);
            String text = gunzip(rotated);
            assertTrue(text.endsWith("\n"), rotated + " holds whole lines");
            assertTrue(onDisk >= ROTATE_SIZE && onDisk < ROTATE_SIZE + 16 * 1024,
                    rotated + " is about the rotation size on disk: " + onDisk);
            assertTrue(text.length() > 4 * onDisk, rotated + " holds more than its size in lines: " + text.length());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(rotated)));
        }
    }

    @Test
    void anExistingGzipLogIsRotatedAsideNotAppendedTo() throws IOException {
        Path path = dir.resolve("audit.jsonl.gz");
        LogFile killed = opened(Files.createDirectory(dir.resolve("killed")).resolve("audit.jsonl.gz"), 0, true);
        write(killed, line(1));
        killed.flush();
        byte[] unfinished = Files.readAllBytes(killed.path());
        Files.write(path, unfinished); // what a JVM killed now leaves: no trailer
        killed.close();

        LogFile next = opened(path, 0, true);
        write(next, line(2));
        next.close();

        assertEquals(line(1), gunzipUnfinished(Files.readAllBytes(dir.resolve("audit.jsonl.1.gz"))),
                "the earlier run's file, as it was left");
        assertEquals(unfinished.length, Files.size(dir.resolve("audit.jsonl.1.gz")));
        assertEquals(line(2), gunzip(path));
        assertEquals(1, next.part());
    }

    @Test
    void plainLogIsAppendedToAndRotatesWithNumberAtTheEnd() throws IOException {
        Path path = dir.resolve("audit.jsonl");
        Files.writeString(path, line(0));
        LogFile file = opened(path, ROTATE_SIZE, false);
        write(file, line(1));
        file.rotate();
        write(file, line(2));
        file.close();

        assertEquals(line(0) + line(1), Files.readString(dir.resolve("audit.jsonl.1")));
        assertEquals(line(2), Files.readString(path));
        assertFalse(Files.exists(dir.resolve("audit.jsonl.1.gz")));
    }

    /** A plain log an earlier run left holding {@code bytes}: whole lines, so that nothing is added to end one. */
    private Path earlierRunsLog(long bytes) throws IOException {
        Path path = dir.resolve("audit.jsonl");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < bytes; i++) {
            text.append(line(i));
        }
        text.setLength((int) bytes - 1);
        Files.writeString(path, text.append('\n'));
        return path;
    }

    @Test
    void anAppendedFileCountsWhatItAlreadyHoldsTowardItsRotationSize() throws IOException {
        Path path = earlierRunsLog(ROTATE_SIZE - 10);
        LogFile file = opened(path, ROTATE_SIZE, false);
        assertFalse(file.isFull());
        write(file, line(1));
        assertTrue(file.isFull(), "a line that takes the file past its rotation size makes it full");
        file.close();
    }

    @Test
    void aFileAnEarlierRunLeftFullIsRotatedAsideBeforeAnythingIsWrittenToIt() throws IOException {
        Path path = earlierRunsLog(ROTATE_SIZE);
        String earlier = Files.readString(path);
        LogFile file = opened(path, ROTATE_SIZE, false);
        write(file, line(1));
        file.close();

        Path rotated = dir.resolve("audit.jsonl.1");
        assertTrue(Files.exists(rotated), "the full file was appended to instead of rotated aside");
        assertEquals(earlier, Files.readString(rotated));
        assertEquals(line(1), Files.readString(path));
    }

    @Test
    void aFullFileThatCannotBeRotatedAsideAtOpenIsAppendedToAndRotatedLater() throws IOException {
        Path path = earlierRunsLog(ROTATE_SIZE);
        String earlier = Files.readString(path);
        Path planted = Files.createDirectory(dir.resolve("audit.jsonl.1"));
        LogFile file = opened(path, ROTATE_SIZE, false);
        write(file, line(1));
        assertTrue(file.isFull(), "still full: the writer's next rotation tries again");
        Files.delete(planted);
        file.rotate();
        write(file, line(2));
        file.close();

        assertEquals(earlier + line(1), Files.readString(dir.resolve("audit.jsonl.1")));
        assertEquals(line(2), Files.readString(path));
    }

    /** Opening must fail, naming the problem, and leave {@code victim} as it was. */
    private void assertRefused(Path path, String problem) throws IOException {
        LogFile file = new LogFile(path, ROTATE_SIZE, 3, false);
        IOException refused = assertThrows(IOException.class, file::open);
        assertTrue(refused.getMessage().contains(problem), refused.getMessage());
    }

    @Test
    void linksAndFilesOthersMayWriteAreRefusedAndNeverWrittenThrough() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), victim);
        assertRefused(link, "a symbolic link");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.jsonl"), dir.resolve("created-through-link"));
        assertRefused(dangling, "a symbolic link");
        Path shared = Files.writeString(dir.resolve("shared.jsonl"), "");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertRefused(shared, "writable by others");
        Path hardLinked = Files.createLink(dir.resolve("hard.jsonl"), victim);
        assertRefused(hardLinked, "2 hard links");
        Path directory = Files.createDirectory(dir.resolve("dir.jsonl"));
        assertRefused(directory, "a directory");

        assertEquals("precious\n", Files.readString(victim));
        assertFalse(Files.exists(dir.resolve("created-through-link")), "nothing is created where a link leads");
        assertEquals("", Files.readString(shared));
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.jsonl");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        assertRefused(fifo, "a FIFO");
    }

    @Test
    void aFileThatEndsMidLineGetsItsLineEndedBeforeTheFirstNewLine() throws IOException {
        Path path = dir.resolve("audit.jsonl");
        Files.writeString(path, line(0) + "{\"event\":\"clo");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        LogFile file = opened(path, 0, false);
        write(file, line(1));
        file.close();
        assertEquals(line(0) + "{\"event\":\"clo\n" + line(1), Files.readString(path));
    }

    @Test
    void aRotationThatCannotRenameGoesOnInTheCurrentFileAndSucceedsLater() throws IOException {
        Path path = dir.resolve("audit.jsonl");
        LogFile file = opened(path, ROTATE_SIZE, false);
        Path planted = Files.createDirectory(dir.resolve("audit.jsonl.1"));
        write(file, line(1));
        LogFile.RotationException failed = assertThrows(LogFile.RotationException.class, file::rotate);
        assertTrue(failed.getMessage().contains("audit.jsonl.1 is a directory"), failed.getMessage());
        write(file, line(2));
        file.flush();
        assertEquals(line(1) + line(2), Files.readString(path), "nothing lost, nothing moved");

        Files.delete(planted);
        file.rotate();
        write(file, line(3));
        file.close();
        assertEquals(line(1) + line(2), Files.readString(dir.resolve("audit.jsonl.1")));
        assertEquals(line(3), Files.readString(path));
        assertEquals(2, file.part());
    }

    @Test
    void aFileDeletedUnderTheWriterIsCreatedAnewAndItsWaitingLinesAreReportedLost() throws IOException {
        Path path = dir.resolve("audit.jsonl");
        LogFile file = opened(path, 0, false);
        write(file, line(1));
        file.flush();
        Files.delete(path);
        write(file, line(2));
        IOException lost = assertThrows(IOException.class, file::flush);
        assertTrue(lost.getMessage().contains("was deleted or replaced"), lost.getMessage());
        assertTrue(file.isDamaged());

        assertTrue(file.repair(), "a new file");
        write(file, line(3));
        file.close();
        assertEquals(line(3), Files.readString(path));
        assertEquals(2, file.part());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
    }

    @Test
    void aGzipWriteThatFailsIsCutBackAndTheStreamEndedSoThatEverythingWrittenStaysReadable() throws IOException {
        Path path = dir.resolve("audit.jsonl.gz");
        LogFile file = opened(path, 0, true);
        write(file, line(1));
        file.flush();
        long before = Files.size(path);
        write(file, line(2));
        // An interrupt closes a file channel in the middle of its write, as a failing disk would fail it.
        Thread.currentThread().interrupt();
        assertThrows(IOException.class, file::flush);
        assertTrue(file.isDamaged());

        assertFalse(file.repair(), "the same file, cut back");
        assertTrue(Files.size(path) >= before);
        write(file, line(3));
        file.close();
        assertEquals(line(1) + line(3), gunzip(path), "the lost line is gone, the others whole: two gzip members");
    }

    @Test
    void withTheNativeLibraryTheOpenedFileIsCheckedByItsDescriptorAndGoodOnesStillOpen() throws IOException {
        assertNull(BuiltLibrary.load(dir));
        Path path = dir.resolve("audit.jsonl");
        LogFile created = opened(path, 0, false);
        write(created, line(1));
        created.close();
        LogFile appended = opened(path, 0, false);
        write(appended, line(2));
        appended.close();
        assertEquals(line(1) + line(2), Files.readString(path));

        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw--w----"));
        assertRefused(path, "writable by others (rw--w----)");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        Files.createLink(dir.resolve("second-name"), path);
        assertRefused(path, "2 hard links");
    }

    @Test
    void theRoomKeptForTheLastLinesOutlastsADiskThatOthersFill() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(Files.createDirectory(dir.resolve("disk")), "256k")) {
            assertNull(BuiltLibrary.load(dir));
            Path path = disk.dir().resolve("audit.jsonl");
            LogFile file = opened(path, 0, false);
            StringBuilder kept = new StringBuilder();
            for (int i = 0; !file.isDamaged(); i++) {
                write(file, line(i));
                try {
                    file.flush();
                    kept.append(line(i));
                } catch (IOException full) {
                    assertTrue(full.getMessage().contains("No space left"), full.toString());
                }
            }
            file.repair();
            disk.fillUp("another-program");
            // More than a page: the last lines (agent_stop, the loss counts, open_at_exit) do not fit in any slack.
            StringBuilder last = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                last.append(line(100_000 + i));
            }
            file.useRoomForLastLines();
            write(file, last.toString());
            file.close();

            assertEquals(kept + last.toString(), Files.readString(path));
        }
    }
}
