package io.socketaudit.report;

import io.socketaudit.cli.ExitCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GzipInputTest {

    @TempDir
    Path dir;

    @Test
    void gzipLogGivesTheSameReportAsThePlainOne() throws IOException {
        SyntheticLog log = sampleLog();
        JsonNode plain = CommandResult.json(log.writeTo(dir.resolve("audit.jsonl")));
        JsonNode gzip = CommandResult.json(log.writeGzipTo(dir.resolve("audit.jsonl.gz")));

        assertTrue(gzip.at("/inputs/0/gzip").asBoolean());
        assertEquals(200, gzip.at("/socketEvents/total").asLong());
        for (JsonNode report : new JsonNode[] {plain, gzip}) {
            ObjectNode input = (ObjectNode) report.at("/inputs/0");
            input.remove("file");
            input.remove("gzip");
        }
        assertEquals(plain, gzip);
    }

    @Test
    void gzipIsRecognisedByContentNotName() throws IOException {
        JsonNode report = CommandResult.json(sampleLog().writeGzipTo(dir.resolve("audit.log")));

        assertTrue(report.at("/inputs/0/gzip").asBoolean());
        assertEquals(200, report.at("/socketEvents/total").asLong());
    }

    @Test
    void gzipCutOffIsReportedAndWhatCameBeforeIsAnalysed() throws IOException {
        Path whole = sampleLog().writeGzipTo(dir.resolve("whole.jsonl.gz"));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.jsonl.gz"), Arrays.copyOf(bytes, bytes.length / 2));

        CommandResult result = CommandResult.report(cut, "--format", "json");
        JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.out());

        assertEquals(ExitCode.OK.status(), result.exitCode(), result.err());
        long events = report.at("/socketEvents/total").asLong();
        assertTrue(events > 0 && events < 200, "some events before the cut: " + events);
        String damage = report.at("/inputProblems/damagedFiles/0").asText();
        assertTrue(damage.startsWith(cut + ": gzip stream ends without its trailer after line "), damage);
    }

    @Test
    void gzipLogOfAKilledAgentIsReadToItsLastFlushedLineAndTheMissingEndIsNamed() throws IOException {
        SyntheticLog log = SyntheticLog.started(1);
        for (int i = 0; i < 200; i++) {
            log.atMillis(i).close("10.0.0.1:" + (40000 + i), "10.0.0.2:80");
        }
        // What the agent leaves when its JVM is killed: batches sync-flushed, no trailer.
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        GZIPOutputStream gzip = new GZIPOutputStream(file, true);
        String[] lines = log.text().split("(?<=\n)");
        for (int i = 0; i < lines.length; i++) {
            gzip.write(lines[i].getBytes(StandardCharsets.UTF_8));
            if (i % 64 == 63 || i == lines.length - 1) {
                gzip.flush();
            }
        }
        Path killed = Files.write(dir.resolve("killed.jsonl.gz"), file.toByteArray());

        CommandResult result = CommandResult.report(killed, "--format", "json");
        JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.out());

        assertEquals(ExitCode.OK.status(), result.exitCode(), result.err());
        assertEquals(200, report.at("/socketEvents/total").asLong(), "every close line was read");
        assertEquals(0, report.at("/inputProblems/skippedLines").asLong());
        String damage = killed + ": gzip stream ends without its trailer after line 201 (the agent was killed, or is"
                + " still writing); every line up to there was read";
        assertEquals(damage, report.at("/inputProblems/damagedFiles/0").asText());
        assertEquals(damage, killed + ": " + report.at("/inputs/0/damage").asText());
        assertEquals(List.of("socket-audit report: warning: " + damage), result.err().lines().toList(),
                "one line on stderr says so");
    }

    private static SyntheticLog sampleLog() {
        SyntheticLog log = SyntheticLog.started(1);
        for (int i = 0; i < 200; i++) {
            log.atMillis(i).close("10.0.0.1:" + (40000 + i), "10.0.0.2:80", "how", i % 10 == 0 ? "abortive" : "graceful");
        }
        return log.stop();
    }
}
