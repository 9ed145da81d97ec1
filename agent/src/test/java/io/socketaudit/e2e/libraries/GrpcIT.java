package io.socketaudit.e2e.libraries;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.LifecycleJvm;
import io.socketaudit.e2e.harness.LoopbackCapture;
import io.socketaudit.e2e.harness.LoopbackCapture.Packet;
import io.socketaudit.e2e.harness.WireFacts;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC over {@code grpc-netty-shaded} ({@link GrpcScenario} in a child JVM, on every test JDK, under a loopback
 * capture): its relocated copy of Netty's epoll transport is audited like Netty's own. How gRPC ends its
 * connection (a FIN, or a reset when its own ping's acknowledgement is still unread) is gRPC's choice; each
 * end's event must say what that end put on the wire.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcIT {

    private static final Pattern CONNECTION = Pattern.compile("connection serverPort=(\\d+) clientPort=(\\d+)");
    private static final Pattern LISTENER = Pattern.compile("listener localPort=(\\d+)");

    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    private record Run(AgentJvm.Result result, List<Packet> packets, long captureDrops, int serverPort, int clientPort,
                       int listenerPort) {

        List<JsonNode> lines(String api, int localPort) {
            return NettyTransportIT.linesAt(result, api, localPort);
        }
    }

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    private Run run(EndToEndJdks.Jdk jdk) throws Exception {
        Run cached = runs.get(jdk.home().toString());
        if (cached != null) {
            return cached;
        }
        Path dir = LifecycleJvm.runDirectory("grpc-jdk" + jdk.feature() + "-");
        AgentJvm child = AgentJvm.on(jdk).workDir(dir).logTo(dir.resolve("audit.jsonl"))
                .classPath(grpcJars()).main(GrpcScenario.class);
        LoopbackCapture.Run captured = LoopbackCapture.around(child);
        AgentJvm.Result result = captured.result();
        assertEquals(0, result.exitCode(), result::describe);
        int serverPort = -1;
        int clientPort = -1;
        int listenerPort = -1;
        for (String line : result.stdout()) {
            Matcher connection = CONNECTION.matcher(line);
            if (connection.matches()) {
                serverPort = Integer.parseInt(connection.group(1));
                clientPort = Integer.parseInt(connection.group(2));
            }
            Matcher listener = LISTENER.matcher(line);
            if (listener.matches()) {
                listenerPort = Integer.parseInt(listener.group(1));
            }
        }
        assertTrue(serverPort > 0 && listenerPort > 0, result::describe);
        Run run = new Run(result, captured.packets(), captured.droppedByKernel(), serverPort, clientPort, listenerPort);
        runs.put(jdk.home().toString(), run);
        return run;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theCallRanAndTheAgentReportedNoError(EndToEndJdks.Jdk jdk) throws Exception {
        Run run = run(jdk);
        assertTrue(run.result.stdout().contains("scenario finished"), run.result::describe);
        assertEquals(List.of(), run.result.log().stream()
                .filter(l -> l.get("event").asText().equals("agent_error")).toList(), "the agent reported errors");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void bothEndsAreOpenedAndClosedOnceAsTheWireSays(EndToEndJdks.Jdk jdk) throws Exception {
        Run run = run(jdk);
        assertEquals(0, run.captureDrops, "tcpdump dropped packets; the wire cannot be judged");
        List<String> initiators = new ArrayList<>();
        for (String role : List.of("client", "server")) {
            int local = role.equals("client") ? run.clientPort : run.serverPort;
            int remote = role.equals("client") ? run.serverPort : run.clientPort;
            List<JsonNode> lines = run.lines("NettySocket", local);
            String where = "gRPC " + role + " 127.0.0.1:" + local + ": " + lines;
            assertEquals(List.of("open", "close"), lines.stream().map(l -> l.get("event").asText()).toList(), where);
            JsonNode open = lines.get(0);
            JsonNode close = lines.get(1);
            assertEquals(role.equals("client") ? "connect" : "accept", open.get("op").asText(), where);
            for (JsonNode line : lines) {
                assertEquals("epoll", line.get("transport").asText(), where);
                assertEquals("127.0.0.1:" + remote, line.get("remote").asText(), where);
                assertEquals(open.get("conn"), line.get("conn"), where);
            }
            assertEquals("close", close.get("op").asText(), where);
            assertTrue(close.hasNonNull("how") && close.hasNonNull("tcpState") && close.hasNonNull("bytesIn")
                    && close.hasNonNull("bytesOut") && close.hasNonNull("pendingIn"), where);
            // A relocated copy of Netty is Netty too: the close is recorded in its FileDescriptor.
            assertTrue(close.get("caller").asText().startsWith("io.grpc.netty.shaded.io.netty."), where);
            WireFacts wire = new WireFacts(run.packets, local, remote);
            String problem = wire.checkEvent(close.get("how").asText(),
                    close.get("cause").isNull() ? null : close.get("cause").asText());
            assertTrue(problem == null, () -> where + ": " + problem + "\n" + wire.describe());
            initiators.add(close.get("initiator").asText());
        }
        assertEquals(2, initiators.size());
        assertNotEquals(initiators.get(0), initiators.get(1), "one end ended the connection first: " + initiators);
        List<JsonNode> listener = run.lines("NettyServerSocket", run.listenerPort);
        assertEquals(1, listener.size(), listener::toString);
        assertEquals("close", listener.get(0).get("event").asText());
        assertEquals("epoll", listener.get(0).get("transport").asText());
    }

    /** gRPC's jars on this test's class path, for the child's. */
    private static List<Path> grpcJars() {
        List<Path> jars = new ArrayList<>();
        for (Class<?> type : List.of(io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.class,
                io.grpc.ManagedChannel.class, io.grpc.internal.ServerImpl.class, io.grpc.util.MutableHandlerRegistry.class,
                io.grpc.Context.class, io.grpc.stub.ClientCalls.class, com.google.common.base.Preconditions.class,
                com.google.common.util.concurrent.internal.InternalFutureFailureAccess.class,
                io.perfmark.PerfMark.class, com.google.gson.Gson.class)) {
            try {
                jars.add(Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return jars;
    }
}
