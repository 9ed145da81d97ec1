package io.socketaudit.e2e.scenarios;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.EachJdk;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.ReportJson;
import io.socketaudit.e2e.harness.WireFacts;
import io.socketaudit.logformat.Event;
import io.socketaudit.logformat.Field;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * The agent, attached to {@link CloseScenarios} on every JDK from {@link EndToEndJdks}, under a
 * loopback capture: each scenario gives exactly the events of {@link ScenarioTable} with the
 * exact fields, the log is framed by agent_start/agent_stop with nothing dropped and no agent
 * errors, and every close event agrees with what went on the wire.
 *
 * <p>Each JDK runs the scenarios once (one child JVM); the tests below share that run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloseScenariosIT {

    private static final Pattern TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$");
    private static final Pattern LOOPBACK_V4 = Pattern.compile("^127\\.0\\.0\\.1:(\\d+)$");

    private final ScenarioRun.Cache runs = new ScenarioRun.Cache();
    private final CallerMarkers markers = CallerMarkers.load();

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    private ScenarioRun run(EndToEndJdks.Jdk jdk) throws Exception {
        return runs.get(jdk, true);
    }

    @EachJdk
    void everyScenarioRunsWithTheAgentAttached(EndToEndJdks.Jdk jdk) throws Exception {
        run(jdk).assertEveryScenarioRan();
    }

    @EachJdk
    void logIsFramedByAgentStartAndAgentStopWithNothingLostAndNoErrors(EndToEndJdks.Jdk jdk) throws Exception {
        ScenarioRun run = run(jdk);
        List<JsonNode> log = run.result.log();
        assertFalse(log.isEmpty(), "empty log");
        JsonNode first = log.get(0);
        JsonNode last = log.get(log.size() - 1);
        long events = log.stream().filter(CloseScenariosIT::isCloseOrShutdown).count();
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals("agent_start", first.path("event").asText(), "first line: " + first));
        checks.add(() -> assertEquals(run.output.runtimeVersion, first.path("jdk").asText(), "agent_start.jdk: " + first));
        checks.add(() -> assertTrue(first.path("agentVersion").isTextual() && !first.path("agentVersion").asText().isEmpty(),
                "agent_start.agentVersion: " + first));
        checks.add(() -> assertTrue(first.path("config").isObject(), "agent_start.config: " + first));
        checks.add(() -> assertEquals(run.result.logFile().toString(), first.path("file").asText(), "agent_start.file: " + first));
        checks.add(() -> assertEquals(1, first.path("part").asInt(-1), "agent_start.part: " + first));
        checks.add(() -> assertTrue(first.path("kernelProbe").isTextual()
                        && !first.path("kernelProbe").asText().startsWith("unavailable"),
                "the kernel probe must work on Linux for exact pendingIn/pendingOut/tcpState: " + first));
        checks.add(() -> assertEquals("agent_stop", last.path("event").asText(), "last line: " + last));
        checks.add(() -> assertEquals(0, last.path("dropped").asLong(-1), "agent_stop.dropped: " + last));
        checks.add(() -> assertEquals(0, last.path("agentErrors").asLong(-1), "agent_stop.agentErrors: " + last));
        checks.add(() -> assertTrue(last.path("eventsWritten").asLong(-1) >= events,
                "agent_stop.eventsWritten " + last.path("eventsWritten") + " < " + events + " close/shutdown lines"));
        checks.add(() -> assertEquals(1, count(log, "agent_start"), "agent_start lines"));
        checks.add(() -> assertEquals(1, count(log, "agent_stop"), "agent_stop lines"));
        checks.add(() -> assertEquals(List.of(), lines(log, "agent_error"), "agent_error lines"));
        checks.add(() -> assertEquals(List.of(), lines(log, "dropped"), "dropped lines"));
        for (int i = 0; i < log.size(); i++) {
            JsonNode line = log.get(i);
            int number = i + 1;
            checks.add(() -> {
                assertTrue(line.path("event").isTextual(), "line " + number + " has no event: " + line);
                assertTrue(TIME.matcher(line.path("time").asText()).matches(),
                        "line " + number + ": time is not RFC 3339 UTC with microseconds: " + line);
                assertEquals(run.result.pid(), line.path("pid").asLong(-1), "line " + number + ": pid: " + line);
            });
        }
        assertAll("log framing on " + jdk, checks);
    }

    @EachJdk
    void eachEndHasExactlyTheExpectedEventsWithTheExpectedFields(EndToEndJdks.Jdk jdk) throws Exception {
        ScenarioRun run = run(jdk);
        List<JsonNode> events = closeAndShutdownEvents(run);
        List<Executable> checks = new ArrayList<>();
        for (ScenarioTable.Scenario scenario : run.scenarios()) {
            for (ScenarioTable.End expected : scenario.ends) {
                checks.add(() -> checkEnd(run, events, scenario, expected));
            }
        }
        assertAll("events on " + jdk, checks);
    }

    private void checkEnd(ScenarioRun run, List<JsonNode> events, ScenarioTable.Scenario scenario,
                          ScenarioTable.End expected) {
        ScenarioOutput.End end = run.output.end(scenario.name, expected.role);
        if (end == null) {
            fail(scenario.name + " printed no ports for its " + expected.role);
        }
        List<JsonNode> actual = events.stream().filter(e -> matches(e, end)).collect(Collectors.toList());
        String which = scenario.name + ", " + expected.role + " end " + end + ", " + run.jdk;
        List<String> expectedOps = expected.ops.stream().map(o -> o.op).collect(Collectors.toList());
        List<String> actualOps = actual.stream().map(e -> e.path("op").asText()).collect(Collectors.toList());
        if (!expectedOps.equals(actualOps)) {
            fail(which + ": expected exactly the operations " + expectedOps + ", the log has " + actualOps
                    + (actual.isEmpty() ? "" : ":\n  " + join(actual)));
        }
        List<String> problems = new ArrayList<>();
        Set<String> conns = new HashSet<>();
        for (int i = 0; i < expected.ops.size(); i++) {
            ScenarioTable.Op op = expected.ops.get(i);
            JsonNode event = actual.get(i);
            List<String> wrong = new ArrayList<>();
            check(wrong, ScenarioTable.compare("event", op.event(), event));
            check(wrong, ScenarioTable.compare("api", expected.api, event));
            check(wrong, ScenarioTable.compare("local", "127.0.0.1:" + end.localPort(), event));
            if (!expected.isListener()) {
                check(wrong, ScenarioTable.compare("remote", "127.0.0.1:" + end.remotePort(), event));
            }
            op.fields.forEach((field, value) -> check(wrong, ScenarioTable.compare(field, value, event)));
            if (op.pendingOutPositiveAtMostFact != null) {
                long bound = Long.parseLong(run.output.fact(scenario.name, op.pendingOutPositiveAtMostFact));
                JsonNode pendingOut = event.get("pendingOut");
                if (pendingOut == null || !pendingOut.isIntegralNumber() || pendingOut.asLong() <= 0
                        || pendingOut.asLong() > bound) {
                    wrong.add("pendingOut: expected > 0 and <= " + bound + " (bytes the app wrote), was " + pendingOut);
                }
            }
            JsonNode thread = event.path("thread");
            String threadName = "scenario-" + scenario.name;
            if (!threadName.equals(thread.path("name").asText(null))) {
                wrong.add("thread.name: expected \"" + threadName + "\", was " + thread.path("name"));
            }
            if (!thread.path("virtual").isBoolean() || thread.path("virtual").asBoolean() != scenario.virtualThread) {
                wrong.add("thread.virtual: expected " + scenario.virtualThread + ", was " + thread.path("virtual"));
            }
            if (!thread.path("id").isIntegralNumber()) {
                wrong.add("thread.id: expected a number, was " + thread.path("id"));
            }
            check(wrong, ScenarioTable.compare("caller", markers.caller(scenario.name, expected.role, op.op), event));
            // The scenarios are application code: the first frame outside the JDK is also outside the libraries.
            check(wrong, ScenarioTable.compare("appCaller", markers.caller(scenario.name, expected.role, op.op), event));
            if (!event.path("conn").isIntegralNumber() && !event.path("conn").isTextual()) {
                wrong.add("conn: missing");
            } else {
                conns.add(event.path("conn").asText());
            }
            if (!event.path("stackId").isIntegralNumber()) {
                wrong.add("stackId: expected a number, was " + event.path("stackId"));
            }
            if (!wrong.isEmpty()) {
                problems.add(which + ", " + op.op + " event:\n    " + String.join("\n    ", wrong) + "\n  event: " + event);
            }
        }
        if (conns.size() > 1) {
            problems.add(which + ": the events of one connection have different conn ids " + conns);
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    @EachJdk
    void noEventsBeyondTheScenarioEndsSoNoneForUnixDomainOrUdpNorDuplicates(EndToEndJdks.Jdk jdk) throws Exception {
        ScenarioRun run = run(jdk);
        List<ScenarioOutput.End> udp = run.output.ends.stream().filter(e -> e.role().equals("udp"))
                .collect(Collectors.toList());
        List<ScenarioOutput.End> tcp = run.output.ends.stream().filter(e -> !e.role().equals("udp"))
                .collect(Collectors.toList());
        assertEquals(2, udp.size(), "the datagram scenario reports two UDP sockets");
        assertEquals(1, run.output.unixPaths.size(), "the UNIX-domain scenario reports its path");
        List<String> unexpected = new ArrayList<>();
        for (JsonNode event : closeAndShutdownEvents(run)) {
            List<ScenarioOutput.End> owners = tcp.stream().filter(end -> matches(event, end)).collect(Collectors.toList());
            if (owners.size() != 1) {
                String hint = "";
                if (!LOOPBACK_V4.matcher(event.path("local").asText("")).matches()) {
                    hint = " (not a TCP end on 127.0.0.1: a UNIX-domain channel?)";
                } else if (udp.stream().anyMatch(u -> u.localPort() == port(event.get("local")))) {
                    hint = " (the port of a UDP socket)";
                }
                unexpected.add((owners.isEmpty() ? "belongs to no scenario end" : "matches " + owners) + hint
                        + ": " + event);
            }
        }
        assertEquals(List.of(), unexpected, "events that no scenario asked for on " + jdk);
    }

    @EachJdk
    void connIdsAreSharedWithinAConnectionAndDistinctAcrossEnds(EndToEndJdks.Jdk jdk) throws Exception {
        ScenarioRun run = run(jdk);
        List<JsonNode> events = closeAndShutdownEvents(run);
        Map<String, ScenarioOutput.End> owner = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ScenarioOutput.End end : run.output.ends) {
            if (end.role().equals("udp")) {
                continue;
            }
            for (JsonNode event : events) {
                if (matches(event, end)) {
                    String conn = event.path("conn").asText();
                    ScenarioOutput.End previous = owner.putIfAbsent(conn, end);
                    if (previous != null && !previous.equals(end)) {
                        problems.add("conn " + conn + " is used by " + previous + " and by " + end);
                    }
                }
            }
        }
        assertEquals(List.of(), problems, "conn ids on " + jdk);
    }

    @EachJdk
    void everyEventAgreesWithTheWire(EndToEndJdks.Jdk jdk) throws Exception {
        ScenarioRun run = run(jdk);
        run.assertCaptureComplete();
        List<JsonNode> events = closeAndShutdownEvents(run);
        List<Executable> checks = new ArrayList<>();
        for (ScenarioOutput.End end : run.output.ends) {
            if (end.isListener() || end.role().equals("udp")) {
                continue;
            }
            for (JsonNode event : events) {
                if (!matches(event, end)) {
                    continue;
                }
                checks.add(() -> {
                    WireFacts wire = run.wire(end);
                    String problem;
                    if ("close".equals(event.path("event").asText())) {
                        problem = wire.checkEvent(event.path("how").asText(null), event.path("cause").asText(null));
                    } else if ("shutdownOutput".equals(event.path("op").asText())
                            && "half-close".equals(event.path("how").asText(null))
                            && event.path("cause").isNull()) {
                        // a plain half-close of a live connection sends a FIN
                        problem = wire.sentFin() ? null : "shutdownOutput, but no FIN went from local to remote";
                    } else {
                        problem = null;
                    }
                    assertTrue(problem == null, () -> end + " on " + jdk + ": " + problem + "\n  event: " + event
                            + "\n  capture:\n" + wire.describe());
                });
            }
        }
        assertAll("events against the wire on " + jdk, checks);
    }

    @EachJdk
    void theAgentDoesNotChangeWhatGoesOnTheWire(EndToEndJdks.Jdk jdk) throws Exception {
        run(jdk).assertWireFacts();
    }

    @EachJdk
    void everyEventRefersToAnEarlierStackLineHoldingItsCaller(EndToEndJdks.Jdk jdk) throws Exception {
        List<JsonNode> log = run(jdk).result.log();
        Map<Long, JsonNode> stacks = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode line : log) {
            String kind = line.path("event").asText();
            if (kind.equals("stack")) {
                if (!line.path("frames").isArray() || line.path("frames").isEmpty()) {
                    problems.add("stack line without frames: " + line);
                }
                if (stacks.put(line.path("stackId").asLong(), line) != null) {
                    problems.add("stackId written twice in one file: " + line);
                }
            } else if (kind.equals("close") || kind.equals("shutdown")) {
                JsonNode stack = stacks.get(line.path("stackId").asLong(-1));
                if (stack == null) {
                    problems.add("no earlier stack line for stackId " + line.path("stackId") + ": " + line);
                    continue;
                }
                String caller = line.path("caller").asText(null);
                boolean found = false;
                for (JsonNode frame : stack.path("frames")) {
                    found |= frame.asText().equals(caller);
                }
                if (caller != null && !found) {
                    problems.add("caller " + caller + " is not among the frames of stack " + stack.path("stackId")
                            + ": " + stack.path("frames"));
                }
            }
        }
        assertEquals(List.of(), problems, "stack lines on " + jdk);
    }

    // ------------------------------------------------------------------------------------------

    /**
     * What the agent writes and what the log format (and so the report) knows agree both ways: no line has a
     * field {@link Event#FIELDS} does not declare for its kind, the lines of a kind together have every field it
     * declares (the scenarios reach each one, {@code closeNotify} in the TLS ones), and the report reads the
     * whole log with no line skipped, no unknown event or field and no stack it cannot resolve.
     */
    @EachJdk
    void everyLineHasTheFieldsTheLogFormatDeclaresAndTheReportReadsItAll(EndToEndJdks.Jdk jdk) throws Exception {
        ScenarioRun run = run(jdk);
        Map<String, Set<String>> fieldsByKind = new TreeMap<>();
        List<Executable> checks = new ArrayList<>();
        for (JsonNode line : run.result.log()) {
            String kind = line.path("event").asText();
            Set<String> declared = declaredFields(kind);
            line.fieldNames().forEachRemaining(field -> {
                fieldsByKind.computeIfAbsent(kind, k -> new TreeSet<>()).add(field);
                if (!declared.contains(field)) {
                    checks.add(() -> fail("'" + field + "' is not a field of '" + kind + "' lines: " + line));
                }
            });
        }
        for (Map.Entry<String, Set<String>> kind : fieldsByKind.entrySet()) {
            Set<String> expected = declaredFields(kind.getKey());
            expected.remove(Field.TRANSPORT); // written for Netty's native sockets only, which these scenarios do not use
            checks.add(() -> assertEquals(expected, kind.getValue(),
                    "the fields of all '" + kind.getKey() + "' lines together"));
        }
        assertAll(checks);

        JsonNode problems = ReportJson.of(run.result.logFile()).path("inputProblems");
        assertAll(
                () -> assertEquals(0, problems.path("skippedLines").asLong(-1), problems.toString()),
                () -> assertEquals(0, problems.path("unknownEventLines").asLong(-1), problems.toString()),
                () -> assertEquals(0, problems.path("unresolvedStackIds").asLong(-1), problems.toString()),
                () -> assertEquals(0, problems.path("unknownFields").size(), problems.toString()),
                () -> assertEquals(0, problems.path("unknownEvents").size(), problems.toString()));
    }

    private static Set<String> declaredFields(String kind) {
        Set<String> declared = new TreeSet<>(Event.COMMON_FIELDS);
        declared.addAll(Event.FIELDS.getOrDefault(kind, Set.of()));
        return declared;
    }

    private static boolean isCloseOrShutdown(JsonNode line) {
        String kind = line.path("event").asText();
        return kind.equals("close") || kind.equals("shutdown");
    }

    private static List<JsonNode> closeAndShutdownEvents(ScenarioRun run) {
        return run.result.log().stream().filter(CloseScenariosIT::isCloseOrShutdown).collect(Collectors.toList());
    }

    /** The event is about this end: same local port and remote port (or a listener's local port). */
    private static boolean matches(JsonNode event, ScenarioOutput.End end) {
        if (port(event.get("local")) != end.localPort()) {
            return false;
        }
        JsonNode remote = event.get("remote");
        boolean listenerEvent = remote == null || remote.isNull();
        if (end.isListener()) {
            return listenerEvent;
        }
        return !listenerEvent && port(remote) == end.remotePort();
    }

    /** The port of an {@code ip:port} / {@code [v6]:port} field, -1 when there is none. */
    private static int port(JsonNode address) {
        if (address == null || !address.isTextual()) {
            return -1;
        }
        String text = address.asText();
        int colon = text.lastIndexOf(':');
        try {
            return colon < 0 ? -1 : Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long count(List<JsonNode> log, String kind) {
        return log.stream().filter(l -> kind.equals(l.path("event").asText())).count();
    }

    private static List<String> lines(List<JsonNode> log, String kind) {
        return log.stream().filter(l -> kind.equals(l.path("event").asText())).map(JsonNode::toString)
                .collect(Collectors.toList());
    }

    private static void check(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    private static String join(List<JsonNode> events) {
        return events.stream().map(JsonNode::toString).collect(Collectors.joining("\n  "));
    }
}
