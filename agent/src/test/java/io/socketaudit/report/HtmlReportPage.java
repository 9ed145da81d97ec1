package io.socketaudit.report;

import io.socketaudit.cli.ExitCode;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The HTML report of a log with something in every section: closes of each kind over time, call sites, losses, and
 * strings an attacker chose (markup, a bidirectional override).
 */
final class HtmlReportPage {

    private HtmlReportPage() {
    }

    /** The page, rendered by the report command from a log written into {@code dir}. */
    static String render(Path dir) throws IOException {
        SyntheticLog log = SyntheticLog.started(42)
                .stack(1, "java.net.Socket.close(Socket.java:1500)", "app.Server.reject(Server.java:42)");
        for (int i = 0; i < 120; i++) {
            String how = i % 7 == 0 ? "abortive" : i % 5 == 0 ? "half-close" : "graceful";
            String op = how.equals("half-close") ? "shutdownOutput" : "close";
            log.atMillis(i * 37L).event(op.equals("close") ? "close" : "shutdown", "conn", i, "api", "Socket", "op", op,
                    "local", "10.0.0.1:8080", "remote", "10.0.0." + (2 + i % 3) + ":" + (40000 + i), "how", how,
                    "cause", how.equals("abortive") ? "unread-input" : null, "initiator", i % 2 == 0 ? "local" : "peer",
                    "pendingIn", how.equals("abortive") ? 100 : 0, "pendingOut", 0,
                    "caller", i % 3 == 0 ? "app.Server.reject(Server.java:42)" : "app.<script>alert(1)</script>.evil\u202Ex(X.java:1)",
                    "stackId", 1);
        }
        Path file = log.event("dropped", "count", 3).stop().writeTo(dir.resolve("audit.jsonl"));
        CommandResult result = CommandResult.report(file, "--format", "html");
        assertEquals(ExitCode.OK.status(), result.exitCode(), result.err());
        return result.out();
    }
}
