package io.socketaudit.e2e.lifecycle;

import static io.socketaudit.e2e.harness.LifecycleLog.event;
import static io.socketaudit.e2e.harness.LifecycleLog.micros;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@code Socket} and a {@code SocketChannel} dropped without a close ({@link LeakProgram}, agent
 * attached from the start) are reported by {@code leak} lines ({@code cause: gc}) while the JVM still
 * runs, with the opening method of the program as {@code caller} and the opening stack. The test
 * asks the child for {@code System.gc()} (stdin {@code gc}, answer {@code done gc}) and reads the log
 * after each answer until both lines are there; the time limit is only a guard against a hang.
 */
class LeakIT {

    /** Upper bound for the leak lines to appear; a hang guard, the lines usually come after one or two gc rounds. */
    private static final long LEAK_GUARD_SECONDS = 60;

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aDroppedSocketAndSocketChannelAreReportedAsLeaksWithTheirOpeningCaller(EndToEndJdks.Jdk jdk) throws Exception {
        Path dir = LifecycleJvm.runDirectory("leak-jdk" + jdk.feature() + "-");
        Path log = dir.resolve("audit.jsonl");
        String socketCaller = LifecycleSource.caller(LeakProgram.class, "leakSocket.connect");
        String channelCaller = LifecycleSource.caller(LeakProgram.class, "leakSocketChannel.connect");
        int gcRounds = 0;
        int socketPort;
        int channelPort;
        int listenerPort;
        int channelListenerPort;
        try (LifecycleJvm child = LifecycleJvm.start(AgentJvm.on(jdk).logTo(log).main(LeakProgram.class), dir)) {
            LifecycleReady.awaitAuditing(child, log);
            String[] leaked = child.call("leak").split(" ");
            socketPort = Integer.parseInt(leaked[2]);
            channelPort = Integer.parseInt(leaked[3]);
            listenerPort = Integer.parseInt(leaked[4]);
            channelListenerPort = Integer.parseInt(leaked[5]);
            LifecycleLog.Tail tail = new LifecycleLog.Tail(log, true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEAK_GUARD_SECONDS);
            while (leakLine(tail.all(), "Socket", socketPort) == null
                    || leakLine(tail.all(), "SocketChannel", channelPort) == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no leak line for the dropped Socket (client port " + socketPort
                            + ") and SocketChannel (client port " + channelPort + ") after " + gcRounds
                            + " System.gc() rounds and " + LEAK_GUARD_SECONDS + " s on " + jdk + "; log so far:\n"
                            + tail.all().stream().map(JsonNode::toString).collect(Collectors.joining("\n")));
                }
                child.call("gc");
                gcRounds++;
                tail.poll();
            }
            child.send("exit");
            assertEquals(0, child.awaitExit(), child::describe);
        }
        System.out.println("[" + jdk + "] both leak lines were in the log after " + gcRounds + " System.gc() round(s)");

        List<JsonNode> lines = AgentJvm.parseLog(log);
        Map<Integer, List<String>> stacks = LifecycleLog.stacks(lines);
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> LifecycleLog.assertFramed(lines, "shutdown", "log"));
        checks.addAll(leakChecks(lines, stacks, "Socket", socketPort, listenerPort, socketCaller));
        checks.addAll(leakChecks(lines, stacks, "SocketChannel", channelPort, channelListenerPort, channelCaller));
        checks.add(() -> assertEquals(2, LifecycleLog.events(lines, "leak").size(),
                "leak lines: only the two dropped clients (the server ends are held): " + LifecycleLog.events(lines, "leak")));
        checks.add(() -> assertEquals(List.of("Socket accept", "SocketChannel accept"),
                LifecycleLog.events(lines, "open_at_exit").stream()
                        .map(l -> l.path("api").asText() + " " + l.path("op").asText()).sorted().collect(Collectors.toList()),
                "the held server ends are open at exit, the leaked clients are not reported twice"));
        assertAll("leaks on " + jdk + " (run directory " + dir + ")", checks);
    }

    /**
     * {@value LeakBurstProgram#LEAKS} SocketChannels dropped in a burst, with {@code System.gc()} every
     * {@value LeakBurstProgram#GC_EVERY}: the collector finds many of them while their opens still wait for
     * the writer. Every leak line must still come after its connection's open line and name the opening
     * caller and stack (a leak report without its opening code is of little use).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void leaksFoundWhileTheirOpensAreStillQueuedNameTheOpeningCaller(EndToEndJdks.Jdk jdk) throws Exception {
        Path dir = LifecycleJvm.runDirectory("leak-burst-jdk" + jdk.feature() + "-");
        Path log = dir.resolve("audit.jsonl");
        String caller = LifecycleSource.caller(LeakBurstProgram.class, "leakOne.connect");
        int gcRounds = 0;
        try (LifecycleJvm child = LifecycleJvm.start(AgentJvm.on(jdk).logTo(log).main(LeakBurstProgram.class), dir)) {
            LifecycleLog.Tail tail = new LifecycleLog.Tail(log, true);
            LifecycleReady.awaitAuditing(child, log);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEAK_GUARD_SECONDS);
            child.call("burst");
            while (LifecycleLog.events(tail.all(), "leak").size() < LeakBurstProgram.LEAKS) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + LifecycleLog.events(tail.all(), "leak").size() + " of "
                            + LeakBurstProgram.LEAKS + " leak lines after " + gcRounds + " gc rounds on " + jdk);
                }
                child.call("gc");
                gcRounds++;
                tail.poll();
            }
            child.send("exit");
            assertEquals(0, child.awaitExit(), child::describe);
        }
        List<JsonNode> lines = AgentJvm.parseLog(log);
        Map<Integer, List<String>> stacks = LifecycleLog.stacks(lines);
        Map<Long, Integer> openIndex = new java.util.HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (event(lines.get(i)).equals("open")) {
                openIndex.put(lines.get(i).path("conn").asLong(), i);
            }
        }
        List<String> wrong = new ArrayList<>();
        List<JsonNode> leaks = LifecycleLog.events(lines, "leak");
        for (JsonNode leak : leaks) {
            Integer open = openIndex.get(leak.path("conn").asLong());
            List<String> frames = stacks.get(leak.path("stackId").asInt(-1));
            if (open == null || open > lines.indexOf(leak) || !caller.equals(leak.path("caller").asText(null))
                    || frames == null || !frames.contains(caller)) {
                wrong.add((open == null ? "no open line" : open > lines.indexOf(leak) ? "open line AFTER the leak"
                        : "open before") + ": " + leak);
            }
        }
        System.out.println("[" + jdk + "] burst: " + leaks.size() + " leak lines, " + wrong.size()
                + " without the opening caller or before their open, after " + gcRounds + " extra gc rounds");
        assertAll("leak burst on " + jdk + " (run directory " + dir + ")",
                () -> LifecycleLog.assertFramed(lines, "shutdown", "log"),
                () -> assertEquals(LeakBurstProgram.LEAKS, leaks.size(), "leak lines"),
                () -> assertEquals(List.of(), wrong, "every leak line after its open, naming " + caller
                        + " and its stack (" + wrong.size() + " of " + leaks.size() + " do not)"));
    }

    private static JsonNode leakLine(List<JsonNode> lines, String api, int localPort) {
        return lines.stream().filter(l -> event(l).equals("leak") && api.equals(l.path("api").asText())
                && LifecycleLog.localPort(l) == localPort).findFirst().orElse(null);
    }

    private static List<Executable> leakChecks(List<JsonNode> lines, Map<Integer, List<String>> stacks, String api,
                                               int clientPort, int listenerPort, String caller) {
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> {
            String what = "the dropped " + api + " (client port " + clientPort + ")";
            // The last open from this port (an earlier probe connection may have had the same port), then its conn.
            List<JsonNode> opens = lines.stream().filter(l -> event(l).equals("open") && api.equals(l.path("api").asText())
                    && LifecycleLog.localPort(l) == clientPort).collect(Collectors.toList());
            assertTrue(!opens.isEmpty(), what + ": no open line");
            long conn = opens.get(opens.size() - 1).path("conn").asLong();
            List<JsonNode> mine = lines.stream().filter(l -> LifecycleLog.CONNECTION_EVENTS.contains(event(l))
                    && l.path("conn").asLong(-1) == conn).collect(Collectors.toList());
            assertEquals(List.of("open", "leak"), mine.stream().map(LifecycleLog::event).collect(Collectors.toList()),
                    what + ": an open, then one leak line, and no close or open_at_exit: " + mine);
            JsonNode open = mine.get(0);
            JsonNode leak = mine.get(1);
            assertEquals("gc", leak.path("cause").asText(), "cause of " + leak);
            assertEquals("connect", leak.path("op").asText(), "op of " + leak);
            assertEquals(open.path("conn"), leak.path("conn"), "conn of the leak is the open's: " + leak);
            assertEquals(listenerPort, LifecycleLog.remotePort(leak), "remote of " + leak);
            assertEquals(open.path("openedAt"), leak.path("openedAt"), "openedAt of " + leak);
            double age = (micros(leak.get("time")) - micros(leak.get("openedAt"))) / 1000.0;
            assertTrue(leak.path("ageMs").isNumber() && leak.path("ageMs").asDouble() >= 0, "ageMs of " + leak);
            assertEquals(age, leak.path("ageMs").asDouble(), 1.0, "ageMs = time - openedAt: " + leak);
            assertEquals(caller, leak.path("caller").asText(null), what + ": caller of the leak line: " + leak);
            assertEquals(caller, open.path("caller").asText(null), what + ": caller of the open: " + open);
            assertEquals(open.path("stackId"), leak.path("stackId"), "the leak refers to the opening stack: " + leak);
            List<String> frames = stacks.get(leak.path("stackId").asInt(-1));
            assertTrue(frames != null && frames.contains(caller), what + ": the leak's stack holds " + caller + ": " + frames);
        });
        return checks;
    }
}
