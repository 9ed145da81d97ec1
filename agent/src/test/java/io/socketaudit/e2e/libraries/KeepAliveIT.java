package io.socketaudit.e2e.libraries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.LifecycleJvm;
import io.socketaudit.e2e.harness.ReportJson;
import java.nio.file.Path;
import java.util.List;
import org.apache.catalina.startup.Tomcat;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Embedded Tomcat closing idle keep-alive connections ({@link KeepAliveServer}) and a pooling HttpClient 5
 * without stale-connection validation ({@link StaleKeepAliveClient}), each under the agent with its own log:
 * the report of both logs names the stale reuse (confirmed by both), the server's idle timeout, and the time
 * the client left a connection in CLOSE_WAIT; {@code --connection} tells the stale connection's story.
 */
class KeepAliveIT {

    /** Scheduling can only make Tomcat's idle close later; this bounds how much later a sane run is. */
    private static final long IDLE_SLACK_MS = 30_000;

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theReportNamesTheStaleReuseTheIdleTimeoutAndTheCloseWait(EndToEndJdks.Jdk jdk) throws Exception {
        Path dir = LifecycleJvm.runDirectory("keepalive-jdk" + jdk.feature() + "-");
        Path serverLog = dir.resolve("server.jsonl");
        Path clientLog = dir.resolve("client.jsonl");
        AgentJvm.Running server = AgentJvm.on(jdk).logTo(serverLog).classpathOf(Tomcat.class, jakarta.annotation.Resource.class)
                .main(KeepAliveServer.class, dir.resolve("tomcat").toString()).start();
        String port = server.awaitStdout(line -> line.startsWith("port ")).substring("port ".length());
        AgentJvm.Result client = AgentJvm.on(jdk).logTo(clientLog)
                .classpathOf(HttpClients.class, EntityUtils.class, HttpVersionPolicy.class, LoggerFactory.class)
                .main(StaleKeepAliveClient.class, port).run();
        assertEquals(0, client.exitCode(), client::describe);
        assertTrue(client.stdout().contains("done"), client::describe);
        assertEquals(0, server.awaitExit().exitCode());

        JsonNode diagnoses = ReportJson.of(serverLog, clientLog).get("diagnoses");
        String context = diagnoses.toPrettyString();
        JsonNode stale = diagnoses.get("staleReuse");
        assertEquals(1, stale.get("connections").asLong(), context);
        assertEquals(1, stale.get("confirmed").asLong(), "the server's close came before the client's request: " + context);
        JsonNode idle = serverIdleCloses(diagnoses.at("/idleCloses/groups"), port);
        long shortest = idle.get("shortestIdleMs").asLong();
        // The kernel counts in jiffies (4 ms at HZ=250): a little below the configured time is still the timeout.
        assertTrue(shortest >= KeepAliveServer.IDLE_TIMEOUT_MS - 10 && shortest <= KeepAliveServer.IDLE_TIMEOUT_MS + IDLE_SLACK_MS,
                "the server's idle closes come after its keepAliveTimeout: " + context);
        assertTrue(stale.get("peerIdleTimeoutAtMostMs").asLong() >= shortest, context);
        assertEquals(shortest, stale.at("/peerIdleCloses/0/shortestIdleMs").asLong(), context);
        JsonNode slow = diagnoses.get("slowCloses");
        assertTrue(slow.get("closes").asLong() >= 1, context);
        JsonNode pooled = clientSite(slow.get("sites"));
        assertTrue(pooled.get("measuredByBothLogs").asLong() >= 1, context);
        assertTrue(pooled.get("longestCloseWaitMs").asLong() >= 0, context);

        String staleEnd = stale.at("/examples/0/local").asText();
        JsonNode story = ReportJson.of(serverLog, clientLog, "--connection", staleEnd);
        JsonNode connection = story.at("/connections/0");
        assertEquals(2, connection.get("ends").size(), story.toPrettyString());
        assertEquals("accept", connection.at("/endedFirst/role").asText(), story.toPrettyString());
    }

    /** HttpClient's closes; Tomcat makes one of its own, a connection to itself that unblocks its acceptor. */
    private static JsonNode clientSite(JsonNode sites) {
        for (JsonNode site : sites) {
            if (site.get("caller").asText().startsWith("org.apache.hc.")) {
                return site;
            }
        }
        throw new AssertionError("no CLOSE_WAIT close by HttpClient: " + sites.toPrettyString());
    }

    private static JsonNode serverIdleCloses(JsonNode groups, String port) {
        for (JsonNode group : groups) {
            if (group.get("side").asText().equals("accepted") && group.get("service").asText().endsWith(":" + port)) {
                return group;
            }
        }
        throw new AssertionError("no idle closes by the server on port " + port + ": " + groups.toPrettyString());
    }
}
