package io.socketaudit.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrivateDirectoryTest {

    @TempDir
    Path tmp;
    private String savedTmpdir;

    @BeforeEach
    void useOwnTemporaryDirectory() {
        savedTmpdir = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
    }

    @AfterEach
    void restoreTemporaryDirectory() {
        System.setProperty("java.io.tmpdir", savedTmpdir);
    }

    @Test
    void directoryIsTheOwnersOnlyAndItsFilesAreCreatedExclusively() throws IOException {
        Path dir = PrivateDirectory.create();
        assertEquals(tmp, dir.getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)));

        Path file = PrivateDirectory.writeNew(dir, "lib.so", new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertThrows(FileAlreadyExistsException.class, () -> PrivateDirectory.writeNew(dir, "lib.so", new byte[] {4}));

        Path victim = Files.writeString(tmp.resolve("victim"), "untouched");
        Files.createSymbolicLink(dir.resolve("planted.so"), victim);
        Files.createSymbolicLink(dir.resolve("dangling.so"), tmp.resolve("nothing-here"));
        assertThrows(FileAlreadyExistsException.class, () -> PrivateDirectory.writeNew(dir, "planted.so", new byte[] {4}));
        assertThrows(FileAlreadyExistsException.class, () -> PrivateDirectory.writeNew(dir, "dangling.so", new byte[] {4}));
        assertEquals("untouched", Files.readString(victim, StandardCharsets.UTF_8));
        assertFalse(Files.exists(tmp.resolve("nothing-here"), LinkOption.NOFOLLOW_LINKS), "no file created through a link");

        PrivateDirectory.remove(dir);
        assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS));
        assertEquals("untouched", Files.readString(victim, StandardCharsets.UTF_8), "links are removed, not followed");
    }

    @Test
    void directoriesOfDeadProcessesAreRemovedAtTheNextStartAndNothingElse() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        Path dead = Files.createDirectory(tmp.resolve("socket-audit-" + finished.pid() + "-1a2b"));
        Files.writeString(dead.resolve("libsocketaudit-probe.so"), "left by a JVM killed with SIGKILL");
        Path alive = Files.createDirectory(tmp.resolve("socket-audit-" + ProcessHandle.current().pid() + "-1a2b"));
        Path other = Files.createDirectory(tmp.resolve("socket-audit-report-1a2b"));
        // As long as the agent's prefix, with a dead pid where the agent's names have theirs.
        Path lookalike = Files.createDirectory(tmp.resolve("other-tools--" + finished.pid() + "-1a2b"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious"), "not the agent's");
        Path linked = Files.createSymbolicLink(tmp.resolve("socket-audit-" + finished.pid() + "-3c4d"), outside);
        Path othersDead = Files.createDirectory(tmp.resolve("socket-audit-" + finished.pid() + "-5e6f"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            assertEquals(0, new ProcessBuilder("chown", "65534", othersDead.toString()).inheritIO().start().waitFor());
        }

        PrivateDirectory.removeLeftovers(tmp, Files.getOwner(tmp));

        assertFalse(Files.exists(dead, LinkOption.NOFOLLOW_LINKS), "the dead process's directory is reaped");
        assertTrue(Files.isDirectory(alive), "a running process's directory stays");
        assertTrue(Files.isDirectory(other), "a name that is not the agent's stays");
        assertTrue(Files.isDirectory(lookalike), "another prefix with a dead pid stays");
        assertTrue(Files.isSymbolicLink(linked) && Files.isRegularFile(precious), "a link is neither followed nor removed");
        assertEquals(root, Files.isDirectory(othersDead), "another user's directory stays (a test only root can make)");
    }
}
