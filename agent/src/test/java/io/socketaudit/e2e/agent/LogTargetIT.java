package io.socketaudit.e2e.agent;

import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.E2eApp;
import io.socketaudit.e2e.harness.EachJdk;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.OtherUser;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The log's name leads somewhere the agent must not write: a link planted by another user, a file another user
 * created, a FIFO, a device. The agent says so in one line and the application runs as it would without it,
 * unaudited; what the name led to is untouched.
 */
class LogTargetIT {

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    /** Runs E2eApp with the log at {@code log}; asserts the app's output and exit code and one line naming the problem. */
    private static void assertRefusedAndAppUnchanged(EndToEndJdks.Jdk jdk, Path workDir, String options, String problem)
            throws Exception {
        AgentJvm.Result result = AgentJvm.on(jdk).agentOptions(options, null).workDir(workDir)
                .main(E2eApp.class, "roundTrip").run();
        List<String> agentLines = AgentConfigIT.agentLines(result);
        assertAll(
                () -> assertEquals(0, result.exitCode(), result::describe),
                () -> assertEquals(List.of(E2eApp.DONE), result.stdout(), result::describe),
                () -> assertEquals(1, agentLines.size(), () -> "one socket-audit: line\n" + result.describe()),
                () -> assertTrue(agentLines.get(0).contains(problem) && agentLines.get(0).contains("UNAUDITED"),
                        () -> "the line names the problem '" + problem + "'\n" + result.describe()));
    }

    /**
     * A directory anyone may create files in, as /tmp is, and the other user who does; skips the test unless it runs as
     * root.
     */
    private record SharedDirectory(OtherUser other, Path dir) {
        static SharedDirectory in(Path workDir, String needsRootTo) throws Exception {
            assumeTrue(OtherUser.isRoot(), "needs root: " + needsRootTo);
            Path shared = Files.createDirectory(workDir.resolve("shared"));
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
            return new SharedDirectory(OtherUser.get(), shared);
        }
    }

    @EachJdk
    void aLinkAnotherUserPlantedIsNotFollowedToTheFileItNames(EndToEndJdks.Jdk jdk, @TempDir Path workDir)
            throws Exception {
        SharedDirectory shared = SharedDirectory.in(workDir, "another user plants the link, the root JVM must not follow it");
        Path victim = Files.writeString(workDir.resolve("victim"), "root's own file\n");
        Path log = shared.dir().resolve("x.jsonl");
        shared.other().exec("ln", "-s", victim.toString(), log.toString());
        Path dangling = shared.dir().resolve("dangling.jsonl");
        Path target = workDir.resolve("created-by-root");
        shared.other().exec("ln", "-s", target.toString(), dangling.toString());

        assertRefusedAndAppUnchanged(jdk, workDir, "file=" + log, "symbolic link");
        assertRefusedAndAppUnchanged(jdk, workDir, "file=" + dangling + ",rotate.size=64K", "symbolic link");

        assertEquals("root's own file\n", Files.readString(victim));
        assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "no file created where the dangling link points");
    }

    @EachJdk
    void aFileAnotherUserCreatedUnderTheLogsNameIsNeitherWrittenNorReadable(EndToEndJdks.Jdk jdk,
            @TempDir Path workDir) throws Exception {
        SharedDirectory shared = SharedDirectory.in(workDir, "another user pre-creates the log for a root JVM");
        Path log = shared.dir().resolve("socket-audit.jsonl");
        shared.other().exec("sh", "-c", "umask 000 && : > " + log);

        assertRefusedAndAppUnchanged(jdk, workDir, "file=" + log, "owned by " + shared.other().name());

        assertEquals(0, Files.size(log), "not one line reached the other user's file");
    }

    @EachJdk
    void theDefaultLogNamePreCreatedByAnotherUserInASharedWorkingDirectoryIsLeftAlone(EndToEndJdks.Jdk jdk,
            @TempDir Path workDir) throws Exception {
        SharedDirectory shared = SharedDirectory.in(workDir, "another user pre-creates the default log of a root JVM");
        // The shell that becomes the JVM knows its pid: the other user creates socket-audit-<that pid>.jsonl, mode 666.
        String preCreate = String.join(" ", shared.other().setpriv()) + " sh -c 'umask 000 && : > socket-audit-'$$'.jsonl'";
        AgentJvm.Result result = AgentJvm.on(jdk).agentOptions(null, null).workDir(shared.dir()).beforeExec(preCreate)
                .main(E2eApp.class, "roundTrip").run();

        Path log = shared.dir().resolve("socket-audit-" + result.pid() + ".jsonl");
        List<String> agentLines = AgentConfigIT.agentLines(result);
        assertAll(
                () -> assertEquals(0, result.exitCode(), result::describe),
                () -> assertEquals(List.of(E2eApp.DONE), result.stdout(), result::describe),
                () -> assertEquals(1, agentLines.size(), () -> "one socket-audit: line\n" + result.describe()),
                () -> assertTrue(agentLines.get(0).contains("owned by " + shared.other().name()), result::describe),
                () -> assertEquals(0, Files.size(log), "not one line reached the other user's file"));
    }

    @EachJdk
    void aFifoIsRefusedBeforeItCanHangTheStart(EndToEndJdks.Jdk jdk, @TempDir Path workDir) throws Exception {
        Path fifo = workDir.resolve("x.jsonl");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());

        assertRefusedAndAppUnchanged(jdk, workDir, "file=" + fifo, "FIFO");

        assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(fifo), "the FIFO is still there");
    }

    @EachJdk
    void aDeviceIsRefusedAndNeverRotatedAway(EndToEndJdks.Jdk jdk, @TempDir Path workDir) throws Exception {
        assumeTrue(OtherUser.isRoot(), "needs root to make a device node (a copy of /dev/null)");
        Path device = workDir.resolve("null.jsonl");
        assertEquals(0, new ProcessBuilder("mknod", "-m", "666", device.toString(), "c", "1", "3").inheritIO().start().waitFor());

        assertRefusedAndAppUnchanged(jdk, workDir, "file=" + device + ",rotate.size=64K", "device");

        assertEquals("character special file", OtherUser.run("stat", "-c", "%F", device.toString()), "the node is where it was");
        assertFalse(Files.exists(workDir.resolve("null.jsonl.1"), LinkOption.NOFOLLOW_LINKS), "nothing rotated");
    }
}
