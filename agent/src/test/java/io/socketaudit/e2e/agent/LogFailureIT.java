package io.socketaudit.e2e.agent;

import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.EachJdk;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.OtherUser;
import io.socketaudit.output.SmallDisk;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log's file system fails under a running application: the disk fills up, a rotation cannot rename, the
 * directory is replaced. Each time the agent says so once, logging goes on as soon as it can, and the log
 * accounts for every connection event the application caused: written once, or counted as lost.
 */
class LogFailureIT {

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    /** The program with these round trips per phase; it waits for {@code go1}, {@code go2}, ... in between. */
    private static AgentJvm program(EndToEndJdks.Jdk jdk, Path workDir, String options, int... phases) {
        String[] args = new String[phases.length + 1];
        args[0] = workDir.resolve("go").toString();
        for (int i = 0; i < phases.length; i++) {
            args[i + 1] = Integer.toString(phases[i]);
        }
        return AgentJvm.on(jdk).agentOptions(options, null).workDir(workDir).main(LogFaultProgram.class, args);
    }

    /** The program logging into {@code logs/x.jsonl}, rotated at 64 KB and kept 50 deep: many rotations, none lost. */
    private static AgentJvm rotating(EndToEndJdks.Jdk jdk, Path workDir, Path logs, int... phases) {
        return program(jdk, workDir, "file=" + logs.resolve("x.jsonl") + ",rotate.size=64K,rotate.keep=50", phases);
    }

    private static void go(Path workDir, int phase) throws IOException {
        Files.createFile(workDir.resolve("go" + phase));
    }

    /** The application's own output, exactly as without the agent, and its exit code. */
    private static void assertAppUnchanged(AgentJvm.Result result, int... phases) {
        List<String> expected = new java.util.ArrayList<>();
        for (int phase = 1; phase < phases.length; phase++) {
            expected.add(LogFaultProgram.phaseDone(phase));
        }
        expected.add(LogFaultProgram.DONE + LogFaultProgram.expectedEvents(java.util.Arrays.stream(phases).sum()));
        assertAll(
                () -> assertEquals(0, result.exitCode(), result::describe),
                () -> assertEquals(expected, result.stdout(), result::describe));
    }

    private static long expectedEvents(int... phases) {
        return LogFaultProgram.expectedEvents(java.util.Arrays.stream(phases).sum());
    }

    static List<Arguments> jdksAndCompressions() {
        List<Arguments> runs = new java.util.ArrayList<>();
        for (EndToEndJdks.Jdk jdk : EndToEndJdks.all()) {
            runs.add(Arguments.of(jdk, "none"));
            runs.add(Arguments.of(jdk, "gzip"));
        }
        return runs;
    }

    @ParameterizedTest(name = "{0}, compress={1}")
    @MethodSource("jdksAndCompressions")
    void aFullDiskLosesEventsCountedAndLoggingResumesWhenSpaceComesBack(EndToEndJdks.Jdk jdk, String compress,
            @TempDir Path workDir) throws Exception {
        try (SmallDisk disk = SmallDisk.mount(Files.createDirectory(workDir.resolve("logs")), "1m")) {
            Path logs = disk.dir();
            // 24 KB left: less than the first phase's log even compressed.
            Path filler = Files.write(logs.resolve("filler"), new byte[1000 * 1024]);
            int[] phases = {1000, 100};
            AgentJvm.Running running = program(jdk, workDir, "file=" + logs.resolve("x.jsonl") + ",compress=" + compress,
                    phases).start();
            Accounted run = assertLossesAccountedFor(running, workDir, logs, phases, () -> Files.delete(filler));
            assertTrue(run.log().events("agent_error").stream().anyMatch(l -> l.path("where").asText().equals("writing the log")),
                    "the failure is in the log");
            assertEquals(1, AgentConfigIT.agentLines(run.result()).size(),
                    () -> "said once\n" + run.result().describe());
        }
    }

    @EachJdk
    void aDiskThatOthersFillToTheEndStillGetsItsLossesCountedAndAgentStop(EndToEndJdks.Jdk jdk,
            @TempDir Path workDir) throws Exception {
        try (SmallDisk disk = SmallDisk.mount(Files.createDirectory(workDir.resolve("logs")), "1m")) {
            Path logs = disk.dir();
            // About 120 KB left: room for the start and the room kept for the last lines, then the disk is full.
            Files.write(logs.resolve("filler"), new byte[900 * 1024]);
            int[] phases = {1000, 10};
            AgentJvm.Running running = program(jdk, workDir, "file=" + logs.resolve("x.jsonl"), phases).start();
            LogAccounting log = assertLossesAccountedFor(running, workDir, logs, phases,
                    () -> disk.fillUp("other-files")).log();
            assertEquals("agent_stop", log.lines.get(log.lines.size() - 1).path("event").asText(), "the last line");
        }
    }

    @EachJdk
    void aDirectoryPlantedAtTheRotatedNameKeepsTheLogInItsFileUntilItIsGone(EndToEndJdks.Jdk jdk,
            @TempDir Path workDir) throws Exception {
        Path logs = Files.createDirectory(workDir.resolve("logs"));
        Path planted = Files.createDirectory(logs.resolve("x.jsonl.1"));
        int[] phases = {300, 100};
        AgentJvm.Running running = rotating(jdk, workDir, logs, phases).start();
        running.awaitStdout(LogFaultProgram.phaseDone(1)::equals);
        assertRotationResumesOnceMended(running, workDir, logs, phases, () -> Files.delete(planted));
    }

    @EachJdk
    void aDirectoryReadOnlyDuringRotationKeepsTheLogInItsFileUntilItIsWritable(EndToEndJdks.Jdk jdk,
            @TempDir Path workDir) throws Exception {
        Path logs = Files.createDirectory(workDir.resolve("logs"));
        int[] phases = {0, 300, 100};
        AgentJvm jvm = rotating(jdk, workDir, logs, phases);
        if (OtherUser.isRoot()) {
            // Root writes in a read-only directory anyway: the JVM runs as an ordinary user.
            OtherUser user = OtherUser.get();
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            assertEquals("", OtherUser.run("chown", user.uid() + ":" + user.gid(), logs.toString()));
            jvm.runAs(user);
        }
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwx------"));
        AgentJvm.Running running = jvm.start();
        running.awaitStdout(LogFaultProgram.phaseDone(1)::equals); // the log is open
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("r-x------"));
        go(workDir, 1);
        running.awaitStdout(LogFaultProgram.phaseDone(2)::equals);
        assertRotationResumesOnceMended(running, workDir, logs, phases,
                () -> Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwx------")));
    }

    @EachJdk
    void linksPlantedAtTheLogsNameDuringRotationAreNeverWrittenThrough(EndToEndJdks.Jdk jdk, @TempDir Path workDir)
            throws Exception {
        Path logs = Files.createDirectory(workDir.resolve("logs"));
        Path victim = Files.writeString(workDir.resolve("victim"), "not the agent's\n");
        Path log = logs.resolve("x.jsonl");
        int[] phases = {0, 300};
        AgentJvm.Running running = rotating(jdk, workDir, logs, phases).start();
        running.awaitStdout(LogFaultProgram.phaseDone(1)::equals); // the log is open
        // Another user's loop re-creating the name: whenever a rotation renames the log away, a link takes its place.
        Thread planter = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Files.createSymbolicLink(log, victim);
                } catch (IOException e) {
                    Thread.onSpinWait(); // the name is taken: the log itself, or the link planted already
                }
            }
        });
        planter.start();
        AgentJvm.Result result;
        try {
            go(workDir, 1);
            result = running.awaitExit();
        } finally {
            planter.interrupt();
            planter.join();
        }

        assertAppUnchanged(result, phases);
        assertEquals("not the agent's\n", Files.readString(victim));
        if (Files.isSymbolicLink(log)) {
            Files.delete(log); // read only the agent's own files
        }
        LogAccounting accounted = new LogAccounting(logs);
        accounted.assertAccountsFor(expectedEvents(phases), result.describe());
        assertEquals(0, accounted.dropped(null), "writing on into the renamed file loses nothing");
    }

    private static void assertRotationResumedWithNothingLost(AgentJvm.Result result, Path logs, int... phases)
            throws IOException {
        assertAppUnchanged(result, phases);
        LogAccounting log = new LogAccounting(logs);
        log.assertAccountsFor(expectedEvents(phases), result.describe());
        assertEquals(0, log.dropped(null), "a failed rotation loses nothing");
        assertTrue(log.events("agent_start").size() > 1, "rotated once it could");
        assertTrue(log.events("agent_error").stream().anyMatch(l -> l.path("where").asText().equals("rotating the log")),
                "the failure is in the log");
        assertEquals(1, AgentConfigIT.agentLines(result).size(), () -> "said once\n" + result.describe());
    }

    @EachJdk
    void aReplacedDirectoryGetsANewLogAndTheEventsInBetweenAreCounted(EndToEndJdks.Jdk jdk, @TempDir Path workDir)
            throws Exception {
        Path logs = Files.createDirectory(workDir.resolve("logs"));
        int[] phases = {50, 100};
        AgentJvm.Running running = program(jdk, workDir, "file=" + logs.resolve("x.jsonl"), phases).start();
        running.awaitStdout(LogFaultProgram.phaseDone(1)::equals);
        // Moved, not deleted, so that the test can still count what reached the old file.
        Path old = Files.move(logs, workDir.resolve("logs.old"));
        Files.createDirectory(logs);
        go(workDir, 1);
        AgentJvm.Result result = running.awaitExit();

        assertAppUnchanged(result, phases);
        LogAccounting log = new LogAccounting(old, logs);
        log.assertAccountsFor(expectedEvents(phases), result.describe());
        List<com.fasterxml.jackson.databind.JsonNode> fresh = AgentJvm.parseLog(logs.resolve("x.jsonl"));
        assertEquals("agent_start", fresh.get(0).path("event").asText(), "the new file starts as every file does");
        assertEquals(2, fresh.get(0).path("part").asInt());
        assertEquals(1, AgentConfigIT.agentLines(result).size(), () -> "said once\n" + result.describe());
    }

    /** What is done to the log's directory while the program waits between phases. */
    private interface Meanwhile {
        void run() throws IOException;
    }

    private record Accounted(AgentJvm.Result result, LogAccounting log) {
    }

    /**
     * Once the agent says it cannot write: does {@code meanwhile}, lets the last phase run, and checks that the
     * application ran as without the agent and that the log accounts for every event, some as lost to the full disk.
     */
    private static Accounted assertLossesAccountedFor(AgentJvm.Running running, Path workDir, Path logs, int[] phases,
                                                      Meanwhile meanwhile) throws Exception {
        running.awaitStdout(LogFaultProgram.phaseDone(1)::equals);
        running.awaitStderr(l -> l.startsWith("socket-audit: cannot write the audit log"));
        meanwhile.run();
        go(workDir, 1);
        AgentJvm.Result result = running.awaitExit();
        assertAppUnchanged(result, phases);
        LogAccounting log = new LogAccounting(logs);
        log.assertAccountsFor(expectedEvents(phases), result.describe());
        assertTrue(log.dropped("write-failed") > 0, "the disk was full: events were lost, and counted");
        return new Accounted(result, log);
    }

    /**
     * Once the agent says it cannot rotate: mends the cause, waits for the rotated file, lets the last phase run and
     * checks that nothing was lost.
     */
    private static void assertRotationResumesOnceMended(AgentJvm.Running running, Path workDir, Path logs, int[] phases,
                                                       Meanwhile mend) throws Exception {
        running.awaitStderr(l -> l.startsWith("socket-audit: cannot rotate"));
        mend.run();
        awaitFile(logs.resolve("x.jsonl.1"));
        go(workDir, phases.length - 1);
        assertRotationResumedWithNothingLost(running.awaitExit(), logs, phases);
    }

    /** Waits until a regular file of this name appears (the agent's rotation worked). */
    private static void awaitFile(Path file) throws IOException, InterruptedException {
        try (WatchService watcher = file.getFileSystem().newWatchService()) {
            file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                WatchKey key = watcher.poll(AgentJvm.HANG_GUARD_SECONDS, TimeUnit.SECONDS);
                if (key == null) {
                    throw new AssertionError(file + " never appeared");
                }
                key.pollEvents();
                key.reset();
            }
        }
    }
}
