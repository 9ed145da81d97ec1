package io.socketaudit.agent;

import io.socketaudit.instrumentation.WovenClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cache of woven JDK classes: what it gives back, and that it gives nothing back from a file or directory
 * another user could have planted or changed, or from a damaged file.
 */
class WovenClassCacheTest {

    private static final String HOME = "/usr/lib/jvm/some-jdk";
    private static final List<WovenClass> CLASSES = List.of(
            new WovenClass("sun.nio.ch.NioSocketImpl", new byte[]{1, 2, 3}, new byte[]{4, 5, 6, 7}),
            new WovenClass("sun.nio.ch.SocketChannelImpl", new byte[]{8}, new byte[]{9, 10}));

    @TempDir
    Path base;

    private WovenClassCache cache(Path dir, String fingerprint, String vmVersion) {
        return new WovenClassCache(dir, fingerprint, HOME, vmVersion);
    }

    /** A cache holding {@link #CLASSES}, as a first run leaves it. */
    private WovenClassCache stored() throws IOException {
        WovenClassCache cache = cache(base.resolve("socket-audit"), "abc", "17.0.15");
        cache.store(CLASSES);
        return cache;
    }

    private Path onlyFile(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), () -> "one file: " + all);
            return all.get(0);
        }
    }

    @Test
    void whatIsStoredIsFoundByTheSameAgentAndJdk() throws IOException {
        Path dir = base.resolve("home/.cache/socket-audit");
        cache(dir, "abc", "17.0.15").store(CLASSES);

        WovenClassCache.Found found = cache(dir, "abc", "17.0.15").load();
        assertEquals("used: 2 classes", found.status());
        assertNull(found.problem());
        for (WovenClass expected : CLASSES) {
            WovenClass got = found.classes().get(expected.name());
            assertArrayEquals(expected.original(), got.original(), expected.name());
            assertArrayEquals(expected.woven(), got.woven(), expected.name());
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent())),
                "a missing directory above it is made owner-only too");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(onlyFile(dir))),
                "and no temporary file is left");
    }

    @Test
    void nothingThereIsEmptyAndMakesNothing() {
        Path dir = base.resolve("socket-audit");
        WovenClassCache.Found found = cache(dir, "abc", "17.0.15").load();
        assertEquals("empty", found.status());
        assertNull(found.problem());
        assertTrue(found.classes().isEmpty());
        assertFalse(Files.exists(dir), "loading makes no directory");
    }

    @Test
    void anotherAgentBuildOrJdkFindsItStaleAndWritesItsOwn() throws IOException {
        Path dir = base.resolve("socket-audit");
        cache(dir, "abc", "17.0.15").store(CLASSES);
        // The same java.home and version name the same file: only what is in it tells the builds apart.
        WovenClassCache otherBuild = cache(dir, "def", "17.0.15");
        WovenClassCache.Found found = otherBuild.load();
        assertTrue(found.status().startsWith("stale"), found.status());
        assertNull(found.problem());
        assertTrue(found.classes().isEmpty());

        otherBuild.store(CLASSES.subList(0, 1));
        assertEquals("used: 1 classes", otherBuild.load().status());
        assertTrue(cache(dir, "abc", "17.0.15").load().status().startsWith("stale"));
    }

    @Test
    void aDamagedFileIsNotUsed() throws IOException {
        WovenClassCache cache = stored();
        Path dir = cache.directory();
        Path file = onlyFile(dir);
        byte[] content = Files.readAllBytes(file);

        content[content.length / 2] ^= 1;
        Files.write(file, content);
        assertNotUsed(cache, "checksum");

        Files.write(file, java.util.Arrays.copyOf(content, content.length / 2));
        assertNotUsed(cache, "damaged");
    }

    @Test
    void aFileNamingAClassTheAgentDoesNotAdviseIsNotUsed() throws IOException {
        Path dir = base.resolve("socket-audit");
        WovenClassCache cache = cache(dir, "abc", "17.0.15");
        cache.store(List.of(new WovenClass("java.lang.String", new byte[]{1}, new byte[]{2})));
        assertNotUsed(cache, "java.lang.String");
    }

    @Test
    void aDirectoryOpenToOtherUsersIsNeitherReadNorWritten() throws IOException {
        WovenClassCache cache = stored();
        Path dir = cache.directory();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNotUsed(cache, "open to other users");
        IOException refused = assertThrows(IOException.class, () -> cache.store(CLASSES));
        assertTrue(refused.getMessage().contains("open to other users"), refused.getMessage());
    }

    @Test
    void aFileWritableByOtherUsersIsNotUsed() throws IOException {
        WovenClassCache cache = stored();
        Path dir = cache.directory();
        Files.setPosixFilePermissions(onlyFile(dir), PosixFilePermissions.fromString("rw-rw-rw-"));
        assertNotUsed(cache, "writable by other users");
    }

    @Test
    void aDirectoryThatIsALinkIsNotFollowed() throws IOException {
        Path real = base.resolve("real");
        cache(real, "abc", "17.0.15").store(CLASSES);
        Path link = Files.createSymbolicLink(base.resolve("socket-audit"), real);
        WovenClassCache cache = cache(link, "abc", "17.0.15");
        assertNotUsed(cache, "symbolic links");
        assertThrows(IOException.class, () -> cache.store(CLASSES));
    }

    @Test
    void aFileThatIsALinkIsNotFollowed() throws IOException {
        Path elsewhere = base.resolve("elsewhere");
        cache(elsewhere, "abc", "17.0.15").store(CLASSES);
        Path dir = Files.createDirectory(base.resolve("socket-audit"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path target = onlyFile(elsewhere);
        Files.createSymbolicLink(dir.resolve(target.getFileName()), target);
        assertNotUsed(cache(dir, "abc", "17.0.15"), "symbolic links");
    }

    /** Root can hand a file to another user: what a user who planted it would leave. */
    @Test
    void aDirectoryOrFileOfAnotherUserIsNotUsed() throws IOException {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "only root can give a file to another user");
        WovenClassCache cache = stored();
        Path dir = cache.directory();
        UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Path file = onlyFile(dir);
        Files.setOwner(file, nobody);
        assertNotUsed(cache, "owned by nobody");
        Files.setOwner(file, Files.getOwner(base));
        Files.setOwner(dir, nobody);
        assertNotUsed(cache, "owned by nobody");
    }

    @Test
    void temporaryFilesOfWritersThatDiedAreRemovedAndOthersKept() throws IOException {
        WovenClassCache cache = stored();
        Path dir = cache.directory();
        String name = onlyFile(dir).getFileName().toString();
        long deadPid = deadPid();
        Path dead = Files.write(dir.resolve(name + "." + deadPid + ".tmp"), new byte[]{1});
        Path alive = Files.write(dir.resolve(name + ".1.tmp"), new byte[]{1}); // pid 1 runs as long as the machine
        cache.store(CLASSES);
        assertFalse(Files.exists(dead, LinkOption.NOFOLLOW_LINKS), "a dead writer's temporary file");
        assertTrue(Files.exists(alive, LinkOption.NOFOLLOW_LINKS), "a running writer's temporary file");
        assertEquals("used: 2 classes", cache.load().status());
    }

    private static long deadPid() {
        long pid = 4_000_000; // above the kernel's largest pid (pid_max is at most 2^22)
        assertFalse(Files.exists(Path.of("/proc", Long.toString(pid))));
        return pid;
    }

    private static void assertNotUsed(WovenClassCache cache, String why) {
        WovenClassCache.Found found = cache.load();
        assertTrue(found.status().startsWith("not used: ") && found.status().contains(why), found.status());
        assertNotNull(found.problem(), "reported as a problem");
        assertEquals(Map.of(), found.classes());
    }
}
