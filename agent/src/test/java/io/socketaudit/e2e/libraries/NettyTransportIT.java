package io.socketaudit.e2e.libraries;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.LifecycleJvm;
import io.socketaudit.e2e.harness.LoopbackCapture;
import io.socketaudit.e2e.harness.LoopbackCapture.Packet;
import io.socketaudit.e2e.harness.WireFacts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One of Netty's transports with the agent attached ({@link NettyScenarios} in a child JVM, on every test JDK, under
 * a loopback capture): each end sends on the wire what the scenario says, and the agent writes for it exactly the
 * events it should, field by field, each in agreement with the capture. A subclass names the transport, the class
 * path that has it, and how the agent names its sockets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NettyTransportIT {

    private static final Pattern END = Pattern.compile(
            "scenario (\\w+) role=(client|server) localPort=(\\d+) remotePort=(\\d+)");
    private static final Pattern LISTENER = Pattern.compile("listener localPort=(\\d+)");

    /** What one end of a scenario sends, and the events the agent writes for it, in order. */
    private record Expected(String scenario, String role, WireFacts.Expect wire, List<ExpectedEvent> events) {
    }

    /** One close or shutdown: the fields that depend on the scenario. */
    private record ExpectedEvent(String event, String op, String how, String cause, String initiator, long pendingIn,
                                 String tcpState, long bytesIn, long bytesOut) {
    }

    private static ExpectedEvent close(String how, String cause, String initiator, long pendingIn, String tcpState,
                                       long bytesIn, long bytesOut) {
        return new ExpectedEvent("close", "close", how, cause, initiator, pendingIn, tcpState, bytesIn, bytesOut);
    }

    private static final int HELLO = NettyScenarios.HELLO.length;
    private static final int REPLY = NettyScenarios.REPLY.length;
    private static final int UNREAD = NettyScenarios.UNREAD_BYTES;

    private static final List<Expected> EXPECTED = List.of(
            new Expected("clientClosesFirst", "client", WireFacts.Expect.FIN,
                    List.of(close("graceful", null, "local", 0, "ESTABLISHED", REPLY, HELLO))),
            new Expected("clientClosesFirst", "server", WireFacts.Expect.FIN,
                    List.of(close("graceful", null, "peer", 0, "CLOSE_WAIT", HELLO, REPLY))),
            new Expected("serverClosesFromHandler", "server", WireFacts.Expect.FIN,
                    List.of(close("graceful", null, "local", 0, "ESTABLISHED", HELLO, 0))),
            new Expected("serverClosesFromHandler", "client", WireFacts.Expect.FIN,
                    List.of(close("graceful", null, "peer", 0, "CLOSE_WAIT", 0, HELLO))),
            new Expected("serverRepliesThenClosesFromHandler", "server", WireFacts.Expect.FIN,
                    List.of(close("graceful", null, "local", 0, "ESTABLISHED", HELLO, REPLY))),
            new Expected("serverRepliesThenClosesFromHandler", "client", WireFacts.Expect.FIN,
                    List.of(close("graceful", null, "peer", 0, "CLOSE_WAIT", REPLY, HELLO))),
            new Expected("clientShutsOutputDown", "client", WireFacts.Expect.FIN,
                    List.of(new ExpectedEvent("shutdown", "shutdownOutput", "half-close", null, "local", 0,
                                    "ESTABLISHED", REPLY, HELLO),
                            // Both FINs exchanged: the socket is CLOSE, its TIME_WAIT is kept by the kernel apart.
                            close("graceful", null, "local", 0, "CLOSE", REPLY, HELLO))),
            new Expected("clientShutsOutputDown", "server", WireFacts.Expect.FIN,
                    List.of(close("graceful", null, "peer", 0, "CLOSE_WAIT", HELLO, REPLY))),
            new Expected("clientClosesWithLingerZero", "client", WireFacts.Expect.RST_ONLY,
                    List.of(close("abortive", "linger-zero", "local", 0, "ESTABLISHED", REPLY, HELLO))),
            new Expected("clientClosesWithLingerZero", "server", WireFacts.Expect.NOTHING,
                    List.of(close("abortive", "peer-reset", "peer", 0, "CLOSE", HELLO, REPLY))),
            new Expected("serverClosesWithInputUnread", "server", WireFacts.Expect.RST_ONLY,
                    List.of(close("abortive", "unread-input", "local", UNREAD, "ESTABLISHED", UNREAD, 0))),
            new Expected("serverClosesWithInputUnread", "client", WireFacts.Expect.NOTHING,
                    List.of(close("abortive", "peer-reset", "peer", 0, "CLOSE", 0, UNREAD))),
            new Expected("leftOpenAtExit", "client", null, List.of()),
            new Expected("leftOpenAtExit", "server", null, List.of()));

    /** The transport, as {@link NettyScenarios} takes it. */
    abstract String transport();

    /** The jars the child runs the scenarios with. */
    abstract List<Path> classPath();

    /** The {@code api} of the transport's connections and of its listeners: Netty's native sockets by default. */
    String api() {
        return "NettySocket";
    }

    String listenerApi() {
        return "NettyServerSocket";
    }

    /** The {@code transport} field of every line of those, {@code null} where there is none. */
    String transportField() {
        return transport();
    }

    /** The scenarios this transport runs; every end not in them is not checked. */
    List<String> scenarios() {
        return NettyScenarios.SCENARIOS;
    }

    /** The ends whose close the scenario asks for from its main thread: scenario/role → scenario method. */
    private static final Map<String, String> REQUESTED_FROM_MAIN = Map.of(
            "clientClosesFirst/client", "clientClosesFirst",
            "clientClosesWithLingerZero/client", "clientClosesWithLingerZero",
            "serverClosesWithInputUnread/server", "serverClosesWithInputUnread");

    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    private List<Expected> expected() {
        return EXPECTED.stream().filter(e -> scenarios().contains(e.scenario)).toList();
    }

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    /** One child run under a capture per JDK, shared by the tests of that JDK. */
    private record Run(AgentJvm.Result result, List<Packet> packets, long captureDrops, String captureDiagnostics,
                       Map<String, int[]> ends, List<Integer> listenerPorts) {

        int[] end(String scenario, String role) {
            int[] ports = ends.get(scenario + "/" + role);
            assertNotNull(ports, () -> scenario + " printed no ports for its " + role + "\n" + result.describe());
            return ports;
        }

        List<JsonNode> lines(String api, int localPort) {
            return linesAt(result, api, localPort);
        }
    }

    /**
     * The log's lines of one api whose local port is this one, in the log's order: an accepted connection has its
     * listener's port.
     */
    static List<JsonNode> linesAt(AgentJvm.Result result, String api, int localPort) {
        List<JsonNode> lines = new ArrayList<>();
        for (JsonNode line : result.log()) {
            if (line.hasNonNull("local") && line.get("local").asText().equals("127.0.0.1:" + localPort)
                    && line.get("api").asText().equals(api)) {
                lines.add(line);
            }
        }
        return lines;
    }

    private Run run(EndToEndJdks.Jdk jdk) throws Exception {
        Run cached = runs.get(jdk.home().toString());
        if (cached != null) {
            return cached;
        }
        Path dir = LifecycleJvm.runDirectory("netty-" + transport() + "-jdk" + jdk.feature() + "-");
        List<String> args = new ArrayList<>();
        args.add(transport());
        args.addAll(scenarios());
        AgentJvm child = AgentJvm.on(jdk).workDir(dir).logTo(dir.resolve("audit.jsonl"))
                .classPath(classPath()).main(NettyScenarios.class, args.toArray(new String[0]));
        LoopbackCapture.Run captured = LoopbackCapture.around(child);
        AgentJvm.Result result = captured.result();
        String unavailable = result.stdout().stream().filter(l -> l.startsWith("transport unavailable: ")).findFirst()
                .orElse(null);
        // Only a transport that cannot run on this machine is skipped, saying why; any other failure fails.
        Assumptions.assumeTrue(result.exitCode() != NettyScenarios.UNAVAILABLE || unavailable == null,
                () -> "Netty's " + transport() + " " + unavailable + " (on " + jdk + ")");
        Map<String, int[]> ends = new LinkedHashMap<>();
        List<Integer> listenerPorts = new ArrayList<>();
        for (String line : result.stdout()) {
            Matcher end = END.matcher(line);
            if (end.matches()) {
                ends.put(end.group(1) + "/" + end.group(2),
                        new int[] {Integer.parseInt(end.group(3)), Integer.parseInt(end.group(4))});
            }
            Matcher listener = LISTENER.matcher(line);
            if (listener.matches()) {
                listenerPorts.add(Integer.parseInt(listener.group(1)));
            }
        }
        Run run = new Run(result, captured.packets(), captured.droppedByKernel(), captured.diagnostics(), ends, listenerPorts);
        runs.put(jdk.home().toString(), run);
        return run;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void everyScenarioRanAndTheAgentReportedNoError(EndToEndJdks.Jdk jdk) throws Exception {
        Run run = run(jdk);
        assertEquals(0, run.result.exitCode(), run.result::describe);
        assertTrue(run.result.stdout().contains("scenarios finished"), run.result::describe);
        List<JsonNode> errors = run.result.log().stream().filter(l -> l.get("event").asText().equals("agent_error")).toList();
        assertEquals(List.of(), errors, "the agent reported errors");
        // Every connection is closed or left open at exit; a socket object Netty made and dropped is no leak.
        assertEquals(List.of(), run.result.log().stream().filter(l -> l.get("event").asText().equals("leak")).toList(),
                "leak lines");
        JsonNode stop = run.result.log().get(run.result.log().size() - 1);
        assertEquals("agent_stop", stop.get("event").asText());
        assertEquals(0, stop.get("dropped").asLong());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void eachEndSendsWhatTheScenarioSays(EndToEndJdks.Jdk jdk) throws Exception {
        Run run = run(jdk);
        assertEquals(0, run.captureDrops, "tcpdump dropped packets; the wire cannot be judged. " + run.captureDiagnostics);
        List<Executable> checks = new ArrayList<>();
        for (Expected expected : expected()) {
            if (expected.wire == null) {
                continue;
            }
            checks.add(() -> {
                int[] ports = run.end(expected.scenario, expected.role);
                WireFacts wire = new WireFacts(run.packets, ports[0], ports[1]);
                String problem = wire.check(expected.wire);
                assertTrue(problem == null, () -> expected.scenario + " " + expected.role + ": " + problem + "\n"
                        + wire.describe());
            });
        }
        assertAll("wire on " + jdk, checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void eachEndHasItsOpenAndExactlyItsClosesAndShutdownsFieldByField(EndToEndJdks.Jdk jdk) throws Exception {
        Run run = run(jdk);
        List<Executable> checks = new ArrayList<>();
        for (Expected expected : expected()) {
            checks.add(() -> {
                int[] ports = run.end(expected.scenario, expected.role);
                String local = "127.0.0.1:" + ports[0];
                String remote = "127.0.0.1:" + ports[1];
                String where = expected.scenario + " " + expected.role + " (" + local + ")";
                List<JsonNode> lines = run.lines(api(), ports[0]);
                List<JsonNode> ends = lines.stream()
                        .filter(l -> List.of("close", "shutdown").contains(l.get("event").asText())).toList();
                assertEquals(expected.events.size(), ends.size(), () -> where + ": closes and shutdowns " + ends);
                JsonNode open = lines.get(0);
                assertEquals("open", open.get("event").asText(), () -> where + ": the first line is not its open: " + lines);
                assertEquals(expected.role.equals("client") ? "connect" : "accept", open.get("op").asText(), where);
                assertEquals(api(), open.get("api").asText(), where);
                assertEquals(transportField(), text(open, "transport"), where);
                assertEquals(remote, open.get("remote").asText(), where);
                assertTrue(open.hasNonNull("openedAt") && open.hasNonNull("stackId"), () -> where + ": " + open);
                long conn = open.get("conn").asLong();
                for (int i = 0; i < ends.size(); i++) {
                    JsonNode e = ends.get(i);
                    ExpectedEvent x = expected.events.get(i);
                    String at = where + " event " + (i + 1) + ": " + e;
                    assertEquals(x.event, e.get("event").asText(), at);
                    assertEquals(conn, e.get("conn").asLong(), at);
                    assertEquals(api(), e.get("api").asText(), at);
                    assertEquals(transportField(), text(e, "transport"), at);
                    assertEquals(x.op, e.get("op").asText(), at);
                    assertEquals(remote, e.get("remote").asText(), at);
                    assertEquals(x.how, text(e, "how"), at);
                    assertEquals(x.cause, text(e, "cause"), at);
                    assertEquals(x.initiator, text(e, "initiator"), at);
                    assertEquals(x.pendingIn, e.get("pendingIn").asLong(), at);
                    // A reply written right before the close may not be acknowledged yet: the kernel's timing.
                    long unacknowledged = x.bytesOut == REPLY && expected.scenario.equals("serverRepliesThenClosesFromHandler")
                            ? REPLY : 0;
                    assertTrue(e.get("pendingOut").isIntegralNumber() && e.get("pendingOut").asLong() >= 0
                            && e.get("pendingOut").asLong() <= unacknowledged, at);
                    assertEquals(x.tcpState, text(e, "tcpState"), at);
                    assertTrue(!e.has("closeNotify"), at);
                    assertEquals(open.get("openedAt").asText(), e.get("openedAt").asText(), at);
                    assertTrue(e.get("durationMs").asDouble() >= 0, at);
                    assertEquals(x.bytesIn, e.get("bytesIn").asLong(), at);
                    assertEquals(x.bytesOut, e.get("bytesOut").asLong(), at);
                    assertTrue(e.hasNonNull("caller") && e.hasNonNull("stackId"), at);
                    String thread = e.get("thread").get("name").asText();
                    String requester = REQUESTED_FROM_MAIN.get(expected.scenario + "/" + expected.role);
                    if (x.event.equals("close") && requester != null) {
                        // Netty runs the close on the channel's event loop; it belongs to the code that asked.
                        assertEquals("main", thread, at);
                        assertTrue(e.get("appCaller").asText().startsWith(
                                "io.socketaudit.e2e.libraries.NettyScenarios." + requester
                                        + "(NettyScenarios.java:"), at);
                    } else {
                        String loop = expected.role.equals("client") ? "client-loop-" : "server-loop-";
                        assertTrue(thread.startsWith(loop), at);
                        // Only a handler's own ctx.close() has application code on the closing stack, also when
                        // io_uring puts that close off until the reply's write completes.
                        if (expected.scenario.startsWith("server") && expected.scenario.endsWith("ClosesFromHandler")
                                && expected.role.equals("server")) {
                            assertTrue(e.get("appCaller").asText().startsWith(
                                    "io.socketaudit.e2e.libraries.NettyScenarios$ServerHandler.channelRead("
                                            + "NettyScenarios.java:"), at);
                        } else {
                            assertTrue(e.get("appCaller").isNull(), at);
                        }
                    }
                    String problem = new WireFacts(run.packets, ports[0], ports[1]).checkEvent(x.how, x.cause);
                    assertTrue(problem == null, () -> at + ": " + problem);
                }
                List<JsonNode> atExit = lines.stream().filter(l -> l.get("event").asText().equals("open_at_exit")).toList();
                if (expected.events.isEmpty()) {
                    assertEquals(1, atExit.size(), () -> where + ": " + lines);
                    JsonNode left = atExit.get(0);
                    assertEquals(conn, left.get("conn").asLong(), where);
                    assertEquals(api(), left.get("api").asText(), where);
                    assertEquals(transportField(), text(left, "transport"), where);
                    assertEquals(open.get("op").asText(), left.get("op").asText(), where);
                    assertEquals(remote, left.get("remote").asText(), where);
                    assertEquals(open.get("stackId"), left.get("stackId"), where);
                } else {
                    assertEquals(List.of(), atExit, where);
                }
            });
        }
        assertAll("events on " + jdk, checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void eachListenerCloseIsOneEventWithoutConnectionFields(EndToEndJdks.Jdk jdk) throws Exception {
        Run run = run(jdk);
        assertEquals(scenarios().size(), run.listenerPorts.size(), run.result::describe);
        List<Executable> checks = new ArrayList<>();
        for (int port : run.listenerPorts) {
            checks.add(() -> {
                List<JsonNode> lines = run.lines(listenerApi(), port);
                assertEquals(1, lines.size(), () -> "listener " + port + ": " + lines);
                JsonNode close = lines.get(0);
                assertEquals("close", close.get("event").asText());
                assertEquals(listenerApi(), close.get("api").asText());
                assertEquals(transportField(), text(close, "transport"));
                assertEquals("LISTEN", close.get("tcpState").asText());
                // main asks for the close, the acceptor's event loop runs it.
                assertEquals("main", close.get("thread").get("name").asText(), close::toString);
                assertTrue(close.get("appCaller").asText().startsWith(
                        "io.socketaudit.e2e.libraries.NettyScenarios.main(NettyScenarios.java:"), close::toString);
                for (String field : List.of("remote", "how", "cause", "initiator", "pendingIn", "pendingOut")) {
                    assertTrue(close.get(field).isNull(), () -> field + " of " + close);
                }
            });
        }
        assertAll("listeners on " + jdk, checks);
    }

    private static String text(JsonNode line, String field) {
        JsonNode value = line.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
