package io.socketaudit.e2e.agent;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.E2eApp;
import io.socketaudit.e2e.harness.EndToEndJdks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Configuration mistakes never stop the app: they give one clear {@code socket-audit:} line on
 * stderr naming the culprit, and the app runs unaudited. A good configuration creates the log
 * readable by its owner only, whatever the umask.
 */
class AgentConfigIT {

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void unknownKeyIsNamedOnceOnStderrAndTheAppRunsUnaudited(EndToEndJdks.Jdk jdk, @TempDir Path workDir)
            throws Exception {
        AgentJvm.Result result = AgentJvm.on(jdk).agentOptions("bogus=1", null).workDir(workDir)
                .main(E2eApp.class, "roundTrip").run();
        List<String> agentLines = agentLines(result);
        List<String> naming = result.stderr().stream().filter(l -> l.contains("bogus")).collect(Collectors.toList());
        assertAll(
                () -> assertEquals(0, result.exitCode(), () -> "the app must still run\n" + result.describe()),
                () -> assertTrue(result.stdout().contains(E2eApp.DONE), () -> "the app did not finish\n" + result.describe()),
                () -> assertEquals(1, naming.size(), () -> "exactly one stderr line naming 'bogus'\n" + result.describe()),
                () -> assertEquals(1, agentLines.size(), () -> "exactly one socket-audit: line\n" + result.describe()),
                () -> assertTrue(agentLines.size() == 1 && agentLines.get(0).contains("bogus"),
                        () -> "the socket-audit: line names the key\n" + result.describe()),
                () -> assertEquals(List.of(), listing(workDir), "no log file (not even the default one) is written"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void valuesTheJdksParsersWouldTakeAreRefusedWithOneLineEach(EndToEndJdks.Jdk jdk, @TempDir Path workDir)
            throws Exception {
        for (String options : List.of("queue.size=+100", "rotate.size=17179869185G", "stack.depth=\u0661\u0662",
                "queue.size=64,queue.size=128")) {
            String key = options.substring(0, options.indexOf('='));
            AgentJvm.Result result = AgentJvm.on(jdk).agentOptions(options, null).workDir(workDir)
                    .main(E2eApp.class, "roundTrip").run();
            List<String> agentLines = agentLines(result);
            assertAll(options,
                    () -> assertEquals(0, result.exitCode(), result::describe),
                    () -> assertEquals(List.of(E2eApp.DONE), result.stdout(), result::describe),
                    () -> assertEquals(1, agentLines.size(), () -> "exactly one socket-audit: line\n" + result.describe()),
                    () -> assertTrue(agentLines.get(0).contains("option " + key), result::describe),
                    () -> assertEquals(List.of(), listing(workDir), "no log file is written"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void unwritableLogPathIsNamedOnceOnStderrAndTheAppRuns(EndToEndJdks.Jdk jdk, @TempDir Path workDir)
            throws Exception {
        String path = "/nonexistent-dir/x.jsonl";
        assertFalse(Files.exists(Paths.get(path).getParent()), "the test needs " + path + " to be unwritable");
        AgentJvm.Result result = AgentJvm.on(jdk).agentOptions("file=" + path, null).workDir(workDir)
                .main(E2eApp.class, "roundTrip").run();
        List<String> agentLines = agentLines(result);
        assertAll(
                () -> assertEquals(0, result.exitCode(), () -> "the app must still run\n" + result.describe()),
                () -> assertTrue(result.stdout().contains(E2eApp.DONE), () -> "the app did not finish\n" + result.describe()),
                () -> assertEquals(1, agentLines.size(), () -> "exactly one socket-audit: line\n" + result.describe()),
                () -> assertTrue(agentLines.size() == 1 && agentLines.get(0).contains(path),
                        () -> "the socket-audit: line names the path\n" + result.describe()),
                () -> assertFalse(Files.exists(Paths.get(path)), "nothing was written there"),
                () -> assertEquals(List.of(), listing(workDir), "no log file is written elsewhere instead"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void logFileIsCreatedReadableAndWritableByItsOwnerOnlyEvenWithUmask000(EndToEndJdks.Jdk jdk,
            @TempDir Path workDir) throws Exception {
        Path log = workDir.resolve("audit.jsonl");
        AgentJvm.Result result = AgentJvm.on(jdk).logTo(log).workDir(workDir).umask("000")
                .main(E2eApp.class, "roundTrip").run();
        assertEquals(0, result.exitCode(), result::describe);
        assertTrue(Files.isRegularFile(log), () -> "no log file\n" + result.describe());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)),
                "permissions of " + log);
        List<JsonNode> lines = result.log();
        assertEquals("agent_start", lines.get(0).path("event").asText(), "first line");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void compressGzipWritesOneCompleteGzipFileNamedGzWithTheCloseInIt(EndToEndJdks.Jdk jdk, @TempDir Path workDir)
            throws Exception {
        Path log = workDir.resolve("audit.jsonl.gz");
        AgentJvm.Result result = AgentJvm.on(jdk).agentOptions("file=" + workDir.resolve("audit.jsonl") + ",compress=gzip", log)
                .workDir(workDir).umask("000").main(E2eApp.class, "roundTrip").run();
        assertEquals(0, result.exitCode(), result::describe);
        assertEquals(List.of("audit.jsonl.gz"), listing(workDir), ".gz appended to the configured name");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)),
                "permissions of " + log);
        List<JsonNode> lines = AgentJvm.parseLines(gunzip(log), log);
        JsonNode start = lines.get(0);
        assertAll(
                () -> assertEquals("agent_start", start.path("event").asText(), "first line"),
                () -> assertEquals("gzip", start.path("config").path("compress").asText()),
                () -> assertEquals(log.toString(), start.path("file").asText()),
                () -> assertTrue(lines.stream().anyMatch(l -> l.path("event").asText().equals("close")
                        && l.path("api").asText().equals("Socket") && l.path("how").asText().equals("graceful")),
                        () -> "a graceful Socket close in " + lines),
                () -> assertEquals("agent_stop", lines.get(lines.size() - 1).path("event").asText(), "last line"));
    }

    /** The whole gzip file; a stream without its trailer (not finished on stop) fails the test. */
    private static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static List<String> agentLines(AgentJvm.Result result) {
        return result.stderr().stream().filter(l -> l.startsWith("socket-audit:")).collect(Collectors.toList());
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
