package io.socketaudit.report;

import io.socketaudit.cli.ExitCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad line is counted and shown; everything else in the file is still analysed. */
class BadInputTest {

    @TempDir
    Path dir;

    @Test
    void truncatedLastLineIsCountedAndTheRestAnalysed() throws IOException {
        Path log = twoCloses().unterminated("{\"event\":\"close\",\"time\":\"2026-11-26T16:1").writeTo(dir.resolve("cut.jsonl"));

        JsonNode report = CommandResult.json(log);

        assertEquals(1, report.at("/inputProblems/truncatedLastLines").asLong());
        assertEquals(0, report.at("/inputProblems/malformedLines").asLong());
        assertEquals(2, report.at("/socketEvents/total").asLong());
        JsonNode example = report.at("/inputProblems/examples/0");
        assertEquals("truncated last line", example.get("kind").asText());
        assertEquals(5, example.get("line").asLong());
    }

    @Test
    void completeLastLineWithoutNewlineIsUsed() throws IOException {
        String text = twoCloses().text();
        Path log = Files.writeString(dir.resolve("no-final-newline.jsonl"), text.substring(0, text.length() - 1));

        JsonNode report = CommandResult.json(log);

        assertEquals(0, report.at("/inputProblems/skippedLines").asLong());
        assertEquals(1, report.at("/lines/agent_stop").asLong());
    }

    @Test
    void nonJsonLinesAreMalformed() throws IOException {
        Path log = SyntheticLog.started(1)
                .line("Exception in thread \"main\" java.lang.OutOfMemoryError")
                .close("10.0.0.1:1", "10.0.0.2:2")
                .line("[1, 2, 3]")
                .line("{\"event\":\"close\"} trailing")
                .stop()
                .writeTo(dir.resolve("mixed.jsonl"));

        JsonNode report = CommandResult.json(log);

        assertEquals(3, report.at("/inputProblems/malformedLines").asLong());
        assertEquals(1, report.at("/socketEvents/total").asLong());
        assertEquals("Exception in thread \"main\" java.lang.OutOfMemoryError", report.at("/inputProblems/examples/0/text").asText());
    }

    @Test
    void linesWithoutRequiredFieldsOrWithWrongTypesAreMalformed() throws IOException {
        Path log = SyntheticLog.started(1)
                .line("{\"time\":\"2026-11-26T16:12:00Z\",\"pid\":1}")
                .line("{\"event\":\"close\",\"time\":\"yesterday\",\"pid\":1}")
                .line("{\"event\":\"close\",\"time\":\"2026-11-26T16:12:00Z\"}")
                .close("10.0.0.1:1", "10.0.0.2:2", "pendingIn", "lots")
                .close("10.0.0.1:1", "10.0.0.2:3")
                .stop()
                .writeTo(dir.resolve("wrong.jsonl"));

        JsonNode report = CommandResult.json(log);

        assertEquals(4, report.at("/inputProblems/malformedLines").asLong());
        assertEquals(1, report.at("/socketEvents/total").asLong());
    }

    @Test
    void unknownEventsAndFieldsFromANewerAgentAreCountedAndTheRestUsed() throws IOException {
        Path log = SyntheticLog.started(1)
                .event("retransmit", "conn", 1, "segments", 3)
                .event("retransmit", "conn", 2, "segments", 1)
                .close("10.0.0.1:1", "10.0.0.2:2", "rttMicros", 120, "congestion", "cubic")
                .close("10.0.0.1:1", "10.0.0.2:3", "rttMicros", 80)
                .event("agent_stop", "eventsWritten", 4, "dropped", 0, "agentErrors", 0, "reason", "shutdown", "uptimeMillis", 5)
                .writeTo(dir.resolve("newer.jsonl"));

        CommandResult text = CommandResult.report(log);
        JsonNode report = CommandResult.json(log);

        assertEquals(2, report.at("/inputProblems/unknownEventLines").asLong());
        assertEquals("{\"retransmit\":2}", report.at("/inputProblems/unknownEvents").toString());
        assertEquals("{\"close.rttMicros\":2,\"agent_stop.uptimeMillis\":1,\"close.congestion\":1}",
                report.at("/inputProblems/unknownFields").toString());
        assertEquals(2, report.at("/socketEvents/total").asLong(), "lines with unknown fields are still used");
        assertTrue(text.out().contains("  !! events this report does not know (a newer agent?): retransmit 2\n"), text.out());
        assertTrue(text.out().contains(
                "  !! fields this report does not know, ignored (a newer agent?): close.rttMicros 2, agent_stop.uptimeMillis 1, close.congestion 1\n"),
                text.out());
    }

    @Test
    void stackIdWithoutItsStackLineIsCounted() throws IOException {
        Path log = SyntheticLog.started(1).close("10.0.0.1:1", "10.0.0.2:2", "stackId", 9).stop().writeTo(dir.resolve("stack.jsonl"));

        JsonNode report = CommandResult.json(log);

        assertEquals(1, report.at("/inputProblems/unresolvedStackIds").asLong());
        assertEquals(1, report.at("/socketEvents/total").asLong());
        assertEquals("[]", report.at("/callSites/top/0/stack").toString());
    }

    @Test
    void overlongLineIsSkippedWithoutHoldingItInMemory() throws IOException {
        char[] junk = new char[LogInput.MAX_LINE_BYTES + 10];
        Arrays.fill(junk, 'x');
        Path log = twoCloses().line(new String(junk)).close("10.0.0.1:1", "10.0.0.2:9").writeTo(dir.resolve("long.jsonl"));

        JsonNode report = CommandResult.json(log);

        assertEquals(1, report.at("/inputProblems/oversizedLines").asLong());
        assertEquals(3, report.at("/socketEvents/total").asLong());
    }

    @Test
    void windowsLineEndingsAreAccepted() throws IOException {
        Path log = Files.writeString(dir.resolve("crlf.jsonl"), twoCloses().text().replace("\n", "\r\n"));

        JsonNode report = CommandResult.json(log);

        assertEquals(0, report.at("/inputProblems/skippedLines").asLong());
        assertEquals(2, report.at("/socketEvents/total").asLong());
    }

    @Test
    void binaryFileIsReportedAsMalformedLines() throws IOException {
        byte[] bytes = new byte[4096];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        Path binary = Files.write(dir.resolve("core.bin"), bytes);

        CommandResult result = CommandResult.report(binary);

        assertEquals(ExitCode.OK.status(), result.exitCode());
        assertTrue(result.out().contains("lines skipped: "), result.out());
        assertTrue(result.out().contains("CLOSES AND SHUTDOWNS: 0\n"), result.out());
    }

    private static SyntheticLog twoCloses() {
        return SyntheticLog.started(1)
                .atMillis(1).close("10.0.0.1:40000", "10.0.0.2:80")
                .atMillis(2).close("10.0.0.1:40001", "10.0.0.2:80")
                .stop();
    }
}
