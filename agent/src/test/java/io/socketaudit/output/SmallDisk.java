package io.socketaudit.output;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A small tmpfs mounted over a test's directory, so that a disk can be full without filling the machine's; skips the
 * test where this does not run as root, which mounting needs.
 */
public final class SmallDisk implements AutoCloseable {

    private final Path dir;

    private SmallDisk(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} ({@code mount -o size=}, such as {@code 1m}) on {@code dir}. */
    public static SmallDisk mount(Path dir, String size) throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a " + size + " tmpfs");
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs",
                dir.toString()).inheritIO().start();
        assertEquals(0, mount.waitFor(), "mount a " + size + " tmpfs on " + dir);
        return new SmallDisk(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Another program takes every byte left on the disk. */
    public void fillUp(String fileName) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve(fileName))) {
            byte[] page = new byte[4096];
            while (true) {
                out.write(page);
                out.flush();
            }
        } catch (IOException full) {
            assertTrue(full.getMessage().contains("No space left"), full.toString());
        }
    }

    /** Unmounts, lazily when something still holds the file system open. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor() != 0) {
            new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start().waitFor();
        }
    }
}
