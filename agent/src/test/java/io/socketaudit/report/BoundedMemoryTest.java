package io.socketaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs far larger than memory are summarised with bounded tallies: the many rare keys are folded
 * away, the heavy ones stay, and the report says when counts are approximate.
 */
class BoundedMemoryTest {

    @TempDir
    Path dir;

    @Test
    void manyDistinctEndpointsKeepTheHeaviestAndSayItIsApproximate() throws IOException {
        SyntheticLog log = SyntheticLog.started(1);
        for (int i = 0; i < 30_000; i++) {
            // Every client port is new, as for a server; one backend is hit every tenth close.
            String remote = i % 10 == 0 ? "10.0.0.5:5432" : "10.1." + (i / 250) + "." + (i % 250) + ":" + (20000 + i);
            log.atMillis(i).close("10.0.0.1:8080", remote);
        }
        JsonNode endpoints = CommandResult.json(log.stop().writeTo(dir.resolve("busy.jsonl"))).get("remoteEndpoints");

        assertTrue(endpoints.get("approximate").asBoolean());
        assertEquals("10.0.0.5:5432", endpoints.at("/top/0/endpoint").asText());
        assertEquals(3_000, endpoints.at("/top/0/connections").asLong(), "the heavy key is never folded away");
        assertEquals(Analysis.TOP_ENDPOINTS, endpoints.get("top").size());
    }

    @Test
    void timelineBucketsWidenWithoutLosingCounts() throws IOException {
        SyntheticLog log = SyntheticLog.started(1);
        for (int i = 0; i < 1_000; i++) {
            log.atMillis(i * 1_000L).close("10.0.0.1:8080", "10.0.0.2:" + (30000 + i), "how", i % 4 == 0 ? "abortive" : "graceful");
        }
        JsonNode timeline = CommandResult.json(log.stop().writeTo(dir.resolve("long.jsonl"))).get("timeline");

        assertEquals(10_000_000, timeline.get("bucketMicros").asLong(), "1000 s in buckets of 10 s");
        long graceful = 0;
        long abortive = 0;
        for (JsonNode bucket : timeline.get("buckets")) {
            graceful += bucket.at("/counts/graceful").asLong();
            abortive += bucket.at("/counts/abortive").asLong();
        }
        assertEquals(750, graceful);
        assertEquals(250, abortive);
        assertTrue(timeline.get("buckets").size() <= Timeline.MAX_BUCKETS);
    }
}
