package io.socketaudit.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogScanTest {

    private static final String OPEN = "{\"event\":\"open\",\"conn\":1,\"api\":\"Socket\"}\n";
    private static final String CLOSE = "{\"event\":\"close\",\"conn\":1,\"api\":\"Socket\"}\n";
    private static final String STOP = "{\"event\":\"agent_stop\",\"eventsWritten\":4,\"dropped\":0,\"agentErrors\":0,\"reason\":\"x\"}\n";

    @TempDir
    Path dir;

    private void gzip(String name, String text, boolean finished) throws IOException {
        OutputStream file = Files.newOutputStream(dir.resolve(name));
        GZIPOutputStream out = new GZIPOutputStream(file, true);
        out.write(text.getBytes(StandardCharsets.UTF_8));
        if (finished) {
            out.close();
        } else {
            out.flush(); // as a killed agent leaves it: no trailer
            file.close();
        }
    }

    @Test
    void gzipLogsCountTheirBytesOnDiskAndTheirLinesDecompressed() throws IOException {
        gzip("audit.jsonl.1.gz", OPEN + CLOSE + OPEN + CLOSE, true);
        gzip("audit.jsonl.gz", OPEN + CLOSE + STOP, true);
        Files.writeString(dir.resolve("other.log"), CLOSE);

        LogScan scan = LogScan.of(dir, "audit.jsonl");

        assertEquals(2, scan.files());
        assertEquals(Files.size(dir.resolve("audit.jsonl.1.gz")) + Files.size(dir.resolve("audit.jsonl.gz")), scan.bytes());
        assertEquals(3, scan.closeLines());
        assertEquals(3 * CLOSE.length(), scan.closeLineBytes());
        assertEquals(3, scan.connectionCloses());
        assertEquals(3, scan.openLines());
        assertEquals(4, scan.eventsWritten());
        assertEquals(0, scan.dropped());
    }

    @Test
    void gzipLogWithoutItsTrailerIsCountedToItsLastLine() throws IOException {
        gzip("audit.jsonl.gz", OPEN + CLOSE, false);

        LogScan scan = LogScan.of(dir, "audit.jsonl");

        assertEquals(1, scan.closeLines());
        assertEquals(-1, scan.eventsWritten(), "no agent_stop");
    }

    @Test
    void plainLogsAreCountedAsBefore() throws IOException {
        Files.writeString(dir.resolve("audit.jsonl"), OPEN + CLOSE + STOP);

        LogScan scan = LogScan.of(dir, "audit.jsonl");

        assertEquals(Files.size(dir.resolve("audit.jsonl")), scan.bytes());
        assertEquals(1, scan.closeLines());
        assertEquals(4, scan.eventsWritten());
    }
}
