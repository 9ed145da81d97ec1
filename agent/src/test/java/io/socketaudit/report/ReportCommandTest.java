package io.socketaudit.report;

import io.socketaudit.cli.ExitCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages, as the JDK's jfr tool: 0 done, 1 bad data or I/O, 2 wrong usage. */
class ReportCommandTest {

    @TempDir
    Path dir;

    @Test
    void withoutFilesIsAUsageError() {
        CommandResult result = CommandResult.report();
        assertEquals(ExitCode.WRONG_USAGE.status(), result.exitCode());
        assertEquals(usageError("no log file given"), result.err());
        assertEquals("", result.out());
    }

    @Test
    void unknownOptionIsAUsageError() throws IOException {
        CommandResult result = CommandResult.report(cleanLog(), "--colour");
        assertEquals(ExitCode.WRONG_USAGE.status(), result.exitCode());
        assertEquals(usageError("unknown option '--colour'"), result.err());
    }

    @Test
    void unknownFormatIsAUsageError() throws IOException {
        CommandResult result = CommandResult.report(cleanLog(), "--format", "xml");
        assertEquals(ExitCode.WRONG_USAGE.status(), result.exitCode());
        assertEquals(usageError("unknown format 'xml': use text, json or html"), result.err());
    }

    @Test
    void optionWithoutValueIsAUsageError() throws IOException {
        CommandResult result = CommandResult.report(cleanLog(), "--output");
        assertEquals(ExitCode.WRONG_USAGE.status(), result.exitCode());
        assertEquals(usageError("--output needs a value"), result.err());
    }

    @Test
    void optionGivenTwiceIsAUsageError() throws IOException {
        CommandResult result = CommandResult.report(cleanLog(), "--format", "json", "--format=html");
        assertEquals(ExitCode.WRONG_USAGE.status(), result.exitCode());
        assertEquals(usageError("--format given twice"), result.err());
    }

    @Test
    void helpGoesToStandardOutput() {
        CommandResult result = CommandResult.report("--help");
        assertEquals(ExitCode.OK.status(), result.exitCode());
        assertTrue(result.out().startsWith("Usage: java -jar socket-audit-agent.jar report FILE..."), result.out());
        assertEquals("", result.err());
    }

    @Test
    void missingFileIsOneLineOnStandardErrorAndExitOne() throws IOException {
        Path missing = dir.resolve("missing.jsonl");
        CommandResult result = CommandResult.report(cleanLog(), missing);
        assertEquals(ExitCode.FAILED.status(), result.exitCode());
        assertEquals("socket-audit report: cannot read " + missing + ": no such file\n", result.err());
        assertEquals("", result.out(), "no partial report");
    }

    @Test
    void directoryIsNotReadableAsALog() {
        CommandResult result = CommandResult.report(dir);
        assertEquals(ExitCode.FAILED.status(), result.exitCode());
        assertEquals("socket-audit report: cannot read " + dir + ": is a directory\n", result.err());
    }

    @Test
    void unwritableOutputIsExitOne() throws IOException {
        Path output = dir.resolve("no-such-directory").resolve("report.txt");
        CommandResult result = CommandResult.report(cleanLog(), "--output", output);
        assertEquals(ExitCode.FAILED.status(), result.exitCode());
        assertTrue(result.err().startsWith("socket-audit report: cannot write " + output + ": "), result.err());
        assertEquals(1, result.err().lines().count(), result.err());
    }

    @Test
    void outputOptionWritesTheReportToTheFile() throws IOException {
        Path output = dir.resolve("report.txt");
        CommandResult result = CommandResult.report(cleanLog(), "--output=" + output);
        assertEquals(ExitCode.OK.status(), result.exitCode(), result.err());
        assertEquals("", result.out());
        assertEquals("", result.err());
        assertTrue(Files.readString(output).startsWith("socket-audit report: 1 file, 4 lines\n"));
    }

    @Test
    void emptyFileGivesAnEmptyReport() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.jsonl"));
        CommandResult result = CommandResult.report(empty);
        assertEquals(ExitCode.OK.status(), result.exitCode(), result.err());
        assertTrue(result.out().contains("CLOSES AND SHUTDOWNS: 0"), result.out());
    }

    @Test
    void skippedLinesAreAWarningNotAFailure() throws IOException {
        Path log = SyntheticLog.started(1).line("this is not JSON").close("10.0.0.1:1", "10.0.0.2:2").stop()
                .writeTo(dir.resolve("bad.jsonl"));
        CommandResult result = CommandResult.report(log);
        assertEquals(ExitCode.OK.status(), result.exitCode());
        assertEquals("socket-audit report: warning: 1 line could not be used; the report says which\n", result.err());
    }

    @Test
    void groupedByApplicationTheCallSitesAreTheApplicationsCode() throws IOException {
        Path log = SyntheticLog.started(1)
                .atMillis(1).close("10.0.0.1:40000", "10.0.0.2:80", "caller", "io.netty.Pool.evict(Pool.java:1)",
                        "appCaller", "app.Orders.load(Orders.java:42)")
                .atMillis(2).close("10.0.0.1:40001", "10.0.0.2:80", "caller", "io.netty.Pool.evict(Pool.java:1)",
                        "appCaller", null)
                .stop()
                .writeTo(dir.resolve("library.jsonl"));
        CommandResult byCaller = CommandResult.report(log, "--format", "json");
        CommandResult byApplication = CommandResult.report(log, "--format", "json", "--group-by", "app");
        assertEquals(ExitCode.OK.status(), byApplication.exitCode(), byApplication.err());
        assertEquals(Map.of("io.netty.Pool.evict(Pool.java:1)", 2L), closesBySite(byCaller.out()));
        assertEquals(Map.of("app.Orders.load(Orders.java:42)", 1L, "(libraries and JDK only)", 1L),
                closesBySite(byApplication.out()));
        assertEquals(ExitCode.WRONG_USAGE.status(), CommandResult.report(log, "--group-by", "thread").exitCode());
    }

    private static Map<String, Long> closesBySite(String json) throws IOException {
        Map<String, Long> closes = new java.util.HashMap<>();
        for (com.fasterxml.jackson.databind.JsonNode site
                : new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).path("callSites").path("top")) {
            closes.put(site.path("caller").asText(), site.path("closes").asLong());
        }
        return closes;
    }

    /** A usage error: one line naming the problem, and where to find the usage. */
    private static String usageError(String problem) {
        return "socket-audit report: " + problem + "; see java -jar socket-audit-agent.jar help report\n";
    }

    private Path cleanLog() throws IOException {
        return SyntheticLog.started(1)
                .atMillis(1).close("10.0.0.1:40000", "10.0.0.2:80")
                .atMillis(2).close("10.0.0.1:40001", "10.0.0.2:80")
                .stop()
                .writeTo(dir.resolve("clean.jsonl"));
    }
}
