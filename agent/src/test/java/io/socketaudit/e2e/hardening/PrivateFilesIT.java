package io.socketaudit.e2e.hardening;

import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.E2eApp;
import io.socketaudit.e2e.harness.EndToEndJdks;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files the agent must hand the JVM by name (the bridge jar, the native library) live in a private
 * directory of the temporary directory only for as long as loading takes: a JVM killed with SIGKILL leaves
 * nothing behind, whatever the umask, and what earlier killed JVMs left is removed at the next start.
 */
class PrivateFilesIT {

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aKilledJvmLeavesNothingInTheTemporaryDirectoryAndEarlierLeftoversAreReaped(EndToEndJdks.Jdk jdk,
            @TempDir Path workDir) throws Exception {
        Path tmp = Files.createDirectory(workDir.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx")); // shared, as /tmp is
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path leftover = Files.createDirectory(tmp.resolve("socket-audit-" + gone.pid() + "-5eed"));
        Files.writeString(leftover.resolve("libsocketaudit-probe.so"), "what a JVM killed before kept");
        Path log = workDir.resolve("audit.jsonl");

        AgentJvm.Running running = AgentJvm.on(jdk).logTo(log).workDir(workDir).umask("000")
                .jvmOption("-Djava.io.tmpdir=" + tmp).main(E2eApp.class, "awaitTermination").start();
        running.awaitStdout(E2eApp.READY::equals);
        List<String> whileRunning = listing(tmp);
        running.process().destroyForcibly();
        AgentJvm.Result result = running.awaitExit();

        assertEquals(List.of(), whileRunning, "the agent's files are removed once loaded; the leftover is reaped\n"
                + result.describe());
        assertEquals(List.of(), listing(tmp), "nothing left after SIGKILL");
        assertEquals(137, result.exitCode(), result::describe);
        assertTrue(AgentJvm.parseLog(log).get(0).path("kernelProbe").asText().equals("jni")
                || !System.getProperty("os.arch").equals("amd64"), "the native library was loaded from its private copy");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void thePrivateDirectoryAndItsFilesAreTheOwnersOnlyUnderUmask000(EndToEndJdks.Jdk jdk, @TempDir Path workDir)
            throws Exception {
        Path tmp = Files.createDirectory(workDir.resolve("tmp"));
        AgentJvm.Result result = AgentJvm.on(jdk).withoutAgent().umask("000").workDir(workDir)
                .jvmOption("-Djava.io.tmpdir=" + tmp)
                .main(PrivateDirectoryProgram.class, AgentJvm.agentJar().toString()).run();

        assertEquals(0, result.exitCode(), result::describe);
        assertEquals(List.of("directory rwx------", "file rw-------"), result.stdout(), result::describe);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
