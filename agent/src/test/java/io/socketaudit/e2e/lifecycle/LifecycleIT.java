package io.socketaudit.e2e.lifecycle;

import static io.socketaudit.e2e.harness.LifecycleLog.event;
import static io.socketaudit.e2e.harness.LifecycleLog.micros;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.LifecycleJvm;
import io.socketaudit.e2e.harness.LifecycleLog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each connection's whole life in the log, with the agent attached from the start to
 * {@link LifecycleProgram} on every JDK from {@link EndToEndJdks}: an {@code open} for every connect
 * and accept ({@code Socket}, {@code SocketChannel}, {@code AsynchronousSocketChannel}) naming the
 * code that opened it, a {@code close} paired with it by {@code conn} with {@code openedAt}, an exact
 * {@code durationMs} and the exact {@code bytesIn}/{@code bytesOut}, and an {@code open_at_exit} line
 * for every connection still open when the JVM ends. One child JVM per JDK; the tests share it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecycleIT {

    /** The marker prefix in {@link LifecycleProgram} of each API's exchanged and kept connection. */
    private static final Map<String, String[]> METHODS = Map.of(
            "Socket", new String[] {"exchangeSocket", "keepSocketOpen"},
            "SocketChannel", new String[] {"exchangeChannel", "keepChannelOpen"},
            "AsynchronousSocketChannel", new String[] {"exchangeAsync", "keepAsyncOpen"});

    private final Map<EndToEndJdks.Jdk, Run> runs = new ConcurrentHashMap<>();

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    /** One end of a connection the program printed: which API, exchanged or kept, client or server. */
    private record End(String api, boolean kept, boolean client, int localPort, int remotePort) {
        String method() {
            return METHODS.get(api)[kept ? 1 : 0];
        }

        String op() {
            return client ? "connect" : "accept";
        }

        String caller() {
            return LifecycleSource.caller(LifecycleProgram.class, method() + "." + op());
        }

        boolean matches(JsonNode line) {
            return api.equals(line.path("api").asText()) && LifecycleLog.localPort(line) == localPort
                    && LifecycleLog.remotePort(line) == remotePort;
        }

        @Override
        public String toString() {
            return (kept ? "kept " : "exchanged ") + api + " " + (client ? "client" : "server") + " end "
                    + localPort + "->" + remotePort;
        }
    }

    private static final class Run {
        final EndToEndJdks.Jdk jdk;
        final AgentJvm.Result result;
        final List<JsonNode> log;
        final List<End> ends = new ArrayList<>();

        Run(EndToEndJdks.Jdk jdk, AgentJvm.Result result) {
            this.jdk = jdk;
            this.result = result;
            this.log = result.log();
            for (String line : result.stdout()) {
                String[] p = line.split(" ");
                if (p.length == 4 && (p[0].equals("exchanged") || p[0].equals("kept"))) {
                    boolean kept = p[0].equals("kept");
                    int client = Integer.parseInt(p[2]);
                    int listener = Integer.parseInt(p[3]);
                    ends.add(new End(p[1], kept, true, client, listener));
                    ends.add(new End(p[1], kept, false, listener, client));
                }
            }
        }

        List<JsonNode> lines(End end, String event) {
            return log.stream().filter(l -> event.equals(event(l)) && end.matches(l)).collect(Collectors.toList());
        }

        JsonNode only(End end, String event) {
            List<JsonNode> found = lines(end, event);
            assertEquals(1, found.size(), () -> "exactly one " + event + " line for the " + end + " on " + jdk
                    + ", found " + found);
            return found.get(0);
        }

        List<End> ends(boolean kept) {
            return ends.stream().filter(e -> e.kept() == kept).collect(Collectors.toList());
        }
    }

    private Run run(EndToEndJdks.Jdk jdk) {
        return runs.computeIfAbsent(jdk, j -> {
            try {
                Path dir = LifecycleJvm.runDirectory("lifecycle-jdk" + j.feature() + "-");
                AgentJvm.Result result = AgentJvm.on(j).logTo(dir.resolve("audit.jsonl")).workDir(dir)
                        .main(LifecycleProgram.class).run();
                assertEquals(0, result.exitCode(), result::describe);
                Run run = new Run(j, result);
                assertEquals(12, run.ends.size(), () -> "the program must print six connections\n" + result.describe());
                return run;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void logIsFramedWithNothingLostAndNoErrors(EndToEndJdks.Jdk jdk) {
        Run run = run(jdk);
        LifecycleLog.assertFramed(run.log, "shutdown", "log on " + jdk);
        LifecycleLog.stacks(run.log);
    }

    /** Every exchanged end: one open with the right op, one close with the same conn after it; conn ids unique. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void everyCloseIsPairedWithAnEarlierOpenByConn(EndToEndJdks.Jdk jdk) {
        Run run = run(jdk);
        List<Executable> checks = new ArrayList<>();
        for (End end : run.ends(false)) {
            checks.add(() -> {
                JsonNode open = run.only(end, "open");
                JsonNode close = run.only(end, "close");
                assertEquals(end.op(), open.path("op").asText(), "op of the open of the " + end + ": " + open);
                assertEquals("close", close.path("op").asText(), "op of the close of the " + end + ": " + close);
                assertTrue(open.path("conn").isIntegralNumber(), "conn of " + open);
                assertEquals(open.path("conn"), close.path("conn"), "the close of the " + end + " must carry its open's conn");
                assertTrue(run.log.indexOf(open) < run.log.indexOf(close), "the open comes before the close: " + end);
                assertTrue(open.path("openedAt").isTextual(), "openedAt of the open: " + open);
                assertEquals(open.path("openedAt"), close.path("openedAt"), "the close's openedAt is the open's: " + close);
                assertTrue(micros(open.get("openedAt")) <= micros(close.get("time")), "opened before closed: " + close);
            });
        }
        checks.add(() -> {
            List<Long> conns = LifecycleLog.events(run.log, "open").stream().map(l -> l.path("conn").asLong())
                    .collect(Collectors.toList());
            assertEquals(conns.size(), conns.stream().distinct().count(), "every open has its own conn: " + conns);
            assertEquals(run.ends.size(), conns.size(), "one open per end, no more: " + LifecycleLog.events(run.log, "open"));
        });
        assertAll("open/close pairing on " + jdk, checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void durationIsCloseTimeMinusOpenedAt(EndToEndJdks.Jdk jdk) {
        Run run = run(jdk);
        List<Executable> checks = new ArrayList<>();
        for (End end : run.ends(false)) {
            checks.add(() -> {
                JsonNode close = run.only(end, "close");
                JsonNode duration = close.path("durationMs");
                assertTrue(duration.isNumber(), "durationMs of the " + end + ": " + close);
                double expected = (micros(close.get("time")) - micros(close.get("openedAt"))) / 1000.0;
                assertTrue(duration.asDouble() >= 0, "durationMs >= 0: " + close);
                assertEquals(expected, duration.asDouble(), 1.0,
                        "durationMs of the " + end + " = close.time - openedAt (" + expected + " ms): " + close);
            });
        }
        assertAll("durations on " + jdk, checks);
    }

    /** The client sent exactly REQUEST bytes and the server exactly RESPONSE, over each exchanged connection. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void bytesInAndOutAreExactForTheConnectionsLife(EndToEndJdks.Jdk jdk) {
        Run run = run(jdk);
        List<Executable> checks = new ArrayList<>();
        for (End end : run.ends(false)) {
            checks.add(() -> {
                JsonNode close = run.only(end, "close");
                long out = end.client() ? LifecycleProgram.REQUEST : LifecycleProgram.RESPONSE;
                long in = end.client() ? LifecycleProgram.RESPONSE : LifecycleProgram.REQUEST;
                assertEquals(out, close.path("bytesOut").asLong(-1), "bytesOut of the " + end + ": " + close);
                assertEquals(in, close.path("bytesIn").asLong(-1), "bytesIn of the " + end + ": " + close);
                assertTrue(close.path("sinceDataInMs").asLong(-1) >= 0, "sinceDataInMs of the " + end + ": " + close);
                assertTrue(close.path("sinceDataOutMs").asLong(-1) >= 0, "sinceDataOutMs of the " + end + ": " + close);
            });
        }
        assertAll("byte counts on " + jdk, checks);
    }

    /**
     * Exactly the kept connections (both ends of each API) get an open_at_exit line, after every other event
     * and before agent_stop, with their open's conn, op and openedAt, their age, and their opening stack.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void everyConnectionStillOpenAtExitGetsAnOpenAtExitLine(EndToEndJdks.Jdk jdk) {
        Run run = run(jdk);
        Map<Integer, List<String>> stacks = LifecycleLog.stacks(run.log);
        List<Executable> checks = new ArrayList<>();
        List<JsonNode> atExit = LifecycleLog.events(run.log, "open_at_exit");
        checks.add(() -> assertEquals(run.ends(true).size(), atExit.size(), "open_at_exit lines: " + atExit));
        int lastOther = 0;
        for (int i = 0; i < run.log.size(); i++) {
            String e = event(run.log.get(i));
            if (!e.equals("open_at_exit") && !e.equals("stack") && !e.equals("agent_stop")) {
                lastOther = i;
            }
        }
        int lastOtherIndex = lastOther;
        for (JsonNode line : atExit) {
            checks.add(() -> assertTrue(run.log.indexOf(line) > lastOtherIndex,
                    "open_at_exit lines come after every event of the run: " + line));
        }
        for (End end : run.ends(true)) {
            checks.add(() -> {
                JsonNode open = run.only(end, "open");
                JsonNode exit = run.only(end, "open_at_exit");
                assertEquals(List.of(), run.lines(end, "close"), "the " + end + " was never closed");
                assertEquals(open.path("conn"), exit.path("conn"), "conn of " + exit);
                assertEquals(end.op(), exit.path("op").asText(), "op of " + exit);
                assertEquals(open.path("openedAt"), exit.path("openedAt"), "openedAt of " + exit);
                double age = (micros(exit.get("time")) - micros(exit.get("openedAt"))) / 1000.0;
                assertTrue(exit.path("ageMs").isNumber() && exit.path("ageMs").asDouble() >= 0, "ageMs of " + exit);
                assertEquals(age, exit.path("ageMs").asDouble(), 1.0, "ageMs = time - openedAt: " + exit);
                assertTrue(exit.path("stackId").isIntegralNumber(), "stackId of " + exit);
                assertEquals(open.path("stackId"), exit.path("stackId"), "open_at_exit refers to the opening stack: " + exit);
                assertNotNull(stacks.get(exit.path("stackId").asInt()), "stack of " + exit);
            });
        }
        checks.add(() -> assertEquals("agent_stop", event(run.log.get(run.log.size() - 1)), "agent_stop is last"));
        assertAll("open_at_exit on " + jdk, checks);
    }

    /**
     * The open (and the open_at_exit line) of every Socket and SocketChannel end, and of the accepted end of
     * an AsynchronousSocketChannel, names the program's line that opened it; the stack holds that frame.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void opensNameTheProgramLineThatOpenedThem(EndToEndJdks.Jdk jdk) {
        Run run = run(jdk);
        assertAll("opening callers on " + jdk, callerChecks(run, false));
    }

    /**
     * An AsynchronousSocketChannel's connect completes on the channel group's thread; its open (and its
     * open_at_exit line) must still name the program's line that called connect, not leave caller null.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void asyncConnectOpenNamesTheProgramLineThatConnected(EndToEndJdks.Jdk jdk) {
        Run run = run(jdk);
        assertAll("async connect callers on " + jdk, callerChecks(run, true));
    }

    /**
     * With the agent given by {@code -javaagent}, connections made from the first line of {@code main} (here
     * SocketChannels, with no Socket before them) are recorded like any other: an open and a close for each end.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void connectionsFromTheFirstLineOfMainAreRecorded(EndToEndJdks.Jdk jdk) throws Exception {
        Path dir = LifecycleJvm.runDirectory("lifecycle-start-jdk" + jdk.feature() + "-");
        AgentJvm.Result result = AgentJvm.on(jdk).logTo(dir.resolve("audit.jsonl")).workDir(dir)
                .main(LifecycleStartProgram.class).run();
        assertEquals(0, result.exitCode(), result::describe);
        List<String> expected = new ArrayList<>();
        for (String line : result.stdout()) {
            String[] p = line.split(" ");
            if (p[0].equals("pair")) {
                int client = Integer.parseInt(p[1]);
                int listener = Integer.parseInt(p[2]);
                expected.add(LifecycleLog.signature("open", "SocketChannel", "connect", client, listener));
                expected.add(LifecycleLog.signature("open", "SocketChannel", "accept", listener, client));
                expected.add(LifecycleLog.signature("close", "SocketChannel", "close", client, listener));
                expected.add(LifecycleLog.signature("close", "SocketChannel", "close", listener, client));
            }
        }
        assertEquals(4 * LifecycleStartProgram.PAIRS, expected.size(), result::describe);
        List<JsonNode> log = result.log();
        List<String> actual = LifecycleLog.connectionEvents(log).stream()
                .filter(l -> l.path("api").asText().equals("SocketChannel"))
                .map(LifecycleLog::signature).sorted().collect(Collectors.toList());
        assertAll("connections from the start of main on " + jdk + " (run directory " + dir + ")",
                () -> LifecycleLog.assertFramed(log, "shutdown", "log"),
                () -> assertEquals(expected.stream().sorted().collect(Collectors.toList()), actual,
                        "every SocketChannel open and close from the first line of main"));
    }

    private static List<Executable> callerChecks(Run run, boolean asyncConnect) {
        Map<Integer, List<String>> stacks = LifecycleLog.stacks(run.log);
        List<Executable> checks = new ArrayList<>();
        for (End end : run.ends) {
            boolean isAsyncConnect = end.api().equals("AsynchronousSocketChannel") && end.client();
            if (isAsyncConnect != asyncConnect) {
                continue;
            }
            List<String> events = end.kept() ? List.of("open", "open_at_exit") : List.of("open");
            for (String event : events) {
                checks.add(() -> {
                    JsonNode line = run.only(end, event);
                    String caller = end.caller();
                    assertEquals(caller, line.path("caller").asText(null), "caller of the " + event + " of the " + end
                            + ": " + line);
                    List<String> frames = stacks.get(line.path("stackId").asInt(-1));
                    assertTrue(frames != null && frames.contains(caller),
                            "the opening stack of the " + end + " holds " + caller + ": " + frames);
                });
            }
        }
        return checks;
    }
}
