package io.socketaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

        assertEquals(ReportCommand.OK, result.exitCode(), result.err());
        long events = report.at("/socketEvents/total").asLong();
        assertTrue(events > 0 && events < 200, "some events before the cut: " + events);
        String damage = report.at("/inputProblems/damagedFiles/0").asText();
        assertTrue(damage.startsWith(cut + ": gzip stream cut off after line "), damage);
    }

    private static SyntheticLog sampleLog() {
        SyntheticLog log = SyntheticLog.started(1);
        for (int i = 0; i < 200; i++) {
            log.atMillis(i).close("10.0.0.1:" + (40000 + i), "10.0.0.2:80", "how", i % 10 == 0 ? "abortive" : "graceful");
        }
        return log.stop();
    }
}
