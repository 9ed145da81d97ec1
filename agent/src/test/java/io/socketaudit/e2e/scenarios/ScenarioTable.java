package io.socketaudit.e2e.scenarios;

import static io.socketaudit.e2e.harness.WireFacts.Expect.FIN;
import static io.socketaudit.e2e.harness.WireFacts.Expect.FIN_THEN_RST;
import static io.socketaudit.e2e.harness.WireFacts.Expect.NOTHING;
import static io.socketaudit.e2e.harness.WireFacts.Expect.NO_RST;
import static io.socketaudit.e2e.harness.WireFacts.Expect.RST_ONLY;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.WireFacts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What each scenario of {@link CloseScenarios} must produce: per end (client, server, listener)
 * the exact sequence of events with their fields, and what that end sends on the wire.
 *
 * <p>Ends, as {@link CloseScenarios} names them: {@code client} connected, {@code server} came
 * from accept(), {@code listener} is the ServerSocket/ServerSocketChannel. Fields not listed for
 * an event are not checked; a field listed with {@code null} must be JSON null (or absent).
 * Unless said otherwise every event's {@code thread.name} is {@code scenario-<scenario>},
 * {@code thread.virtual} is false, and {@code caller} is the scenario method at the line marked
 * {@code //@ <role>.<op>}.
 */
final class ScenarioTable {

    static final String ESTABLISHED = "ESTABLISHED";
    static final String CLOSE_WAIT = "CLOSE_WAIT";
    /** The state after the peer's RST, and also after a FIN exchange that our shutdownOutput began. */
    static final String CLOSE = "CLOSE";

    /** One expected event. */
    static final class Op {
        final String op;
        final Map<String, Object> fields = new LinkedHashMap<>();
        /** 0 &lt; pendingOut &lt;= the scenario's fact of this name. */
        String pendingOutPositiveAtMostFact;
        boolean virtualThread;

        Op(String op) {
            this.op = op;
        }

        String event() {
            return op.equals("close") ? "close" : "shutdown";
        }

        Op how(String how) {
            fields.put("how", how);
            return this;
        }

        Op cause(String cause) {
            fields.put("cause", cause);
            return this;
        }

        Op initiator(String initiator) {
            fields.put("initiator", initiator);
            return this;
        }

        Op pendingIn(Integer bytes) {
            fields.put("pendingIn", bytes);
            return this;
        }

        Op pendingOut(Integer bytes) {
            fields.put("pendingOut", bytes);
            return this;
        }

        Op tcpState(String state) {
            fields.put("tcpState", state);
            return this;
        }

        Op closeNotify(boolean sent) {
            fields.put("closeNotify", sent);
            return this;
        }

        Op graceful() {
            return how("graceful").cause(null);
        }

        Op abortive(String cause) {
            return how("abortive").cause(cause);
        }

        Op halfClose() {
            return how("half-close").cause(null);
        }

        Op local() {
            return initiator("local");
        }

        Op peer() {
            return initiator("peer");
        }

        Op nothingPending() {
            return pendingIn(0).pendingOut(0);
        }

        Op pendingOutPositiveAtMost(String fact) {
            this.pendingOutPositiveAtMostFact = fact;
            return this;
        }
    }

    /** One end of a scenario. */
    static final class End {
        final String role;
        final String api;
        final WireFacts.Expect wire;
        final List<Op> ops;

        End(String role, String api, WireFacts.Expect wire, List<Op> ops) {
            this.role = role;
            this.api = api;
            this.wire = wire;
            this.ops = ops;
        }

        boolean isListener() {
            return role.equals("listener");
        }
    }

    /** One scenario. */
    static final class Scenario {
        final String name;
        final List<End> ends;
        int minFeature;
        boolean virtualThread;

        Scenario(String name, List<End> ends) {
            this.name = name;
            this.ends = ends;
        }

        boolean runsOn(int feature) {
            return feature >= minFeature;
        }

        End end(String role) {
            return ends.stream().filter(e -> e.role.equals(role)).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Op close() {
        return new Op("close");
    }

    static Op shutdownOutput() {
        return new Op("shutdownOutput");
    }

    static Op shutdownInput() {
        return new Op("shutdownInput");
    }

    static End client(String api, WireFacts.Expect wire, Op... ops) {
        return new End("client", api, wire, List.of(ops));
    }

    static End server(String api, WireFacts.Expect wire, Op... ops) {
        return new End("server", api, wire, List.of(ops));
    }

    static End listener(String api) {
        Op close = close().how(null).cause(null).initiator(null).pendingIn(null).pendingOut(null);
        close.fields.put("remote", null);
        return new End("listener", api, null, List.of(close));
    }

    private static Scenario scenario(String name, End... ends) {
        return new Scenario(name, List.of(ends));
    }

    /** The client read everything and closes; the server reads EOF and closes in CLOSE_WAIT. */
    private static Scenario plainClose(String name, String api, String serverApi, String listenerApi) {
        return scenario(name,
                client(api, FIN, close().graceful().local().nothingPending().tcpState(ESTABLISHED)),
                server(serverApi, FIN, close().graceful().peer().nothingPending().tcpState(CLOSE_WAIT)),
                listener(listenerApi));
    }

    /** shutdownOutput (FIN), the server reads EOF and closes, the client reads EOF and closes. */
    private static Scenario shutdownOutputThenClose(String name, String api, String serverApi, String listenerApi) {
        return scenario(name,
                client(api, FIN,
                        shutdownOutput().halfClose().local().nothingPending().tcpState(ESTABLISHED),
                        // Our FIN went first, so still local; the kernel has left FIN_WAIT2 for CLOSE.
                        close().graceful().local().nothingPending().tcpState(CLOSE)),
                server(serverApi, FIN, close().graceful().peer().nothingPending().tcpState(CLOSE_WAIT)),
                listener(listenerApi));
    }

    /** shutdownInput (nothing on the wire), then a plain close. */
    private static Scenario shutdownInputThenClose(String name, String api, String serverApi, String listenerApi) {
        return scenario(name,
                client(api, FIN,
                        shutdownInput().halfClose().local().nothingPending().tcpState(ESTABLISHED),
                        close().graceful().local().nothingPending().tcpState(ESTABLISHED)),
                server(serverApi, FIN, close().graceful().peer().nothingPending().tcpState(CLOSE_WAIT)),
                listener(listenerApi));
    }

    static List<Scenario> all() {
        List<Scenario> all = new ArrayList<>();
        all.add(plainClose("socketCloseAfterReadingEverything", "Socket", "Socket", "ServerSocket"));
        all.add(plainClose("socketCloseThroughInputStream", "Socket", "Socket", "ServerSocket"));
        all.add(plainClose("socketCloseThroughOutputStream", "Socket", "Socket", "ServerSocket"));
        all.add(plainClose("socketCloseByTryWithResources", "Socket", "Socket", "ServerSocket"));
        all.add(shutdownOutputThenClose("socketShutdownOutputThenClose", "Socket", "Socket", "ServerSocket"));
        all.add(shutdownInputThenClose("socketShutdownInputThenClose", "Socket", "Socket", "ServerSocket"));
        all.add(scenario("socketCloseWithUnreadInput",
                client("Socket", FIN_THEN_RST, close().abortive("unread-input").local()
                        .pendingIn(CloseScenarios.UNREAD_BYTES).pendingOut(0).tcpState(ESTABLISHED)),
                // pendingOut is not checked: bytes the server wrote after EOF while waiting for
                // the RST may be unacknowledged, depending on when the RST is processed.
                server("Socket", NOTHING, close().abortive("peer-reset").peer().pendingIn(0).tcpState(CLOSE)),
                listener("ServerSocket")));
        all.add(scenario("socketCloseWithLingerZeroThenPeerCloseAfterReset",
                client("Socket", RST_ONLY, close().abortive("linger-zero").local().nothingPending()
                        .tcpState(ESTABLISHED)),
                server("Socket", NOTHING, close().abortive("peer-reset").peer().nothingPending().tcpState(CLOSE)),
                listener("ServerSocket")));
        all.add(plainClose("socketClosedTwice", "Socket", "Socket", "ServerSocket"));
        all.add(scenario("serverSocketClose", listener("ServerSocket")));
        all.add(scenario("sslSocketClose",
                // One event for the whole TLS close (close_notify, the two shutdowns and the
                // socket close underneath). pendingOut counts what the app wrote, not the
                // close's own alerts: the app's last bytes were acknowledged by the server's reply.
                client("SSLSocket", FIN, close().graceful().local().nothingPending().tcpState(ESTABLISHED)
                        .closeNotify(true)),
                // The server's TLS layer answers the client's user_canceled + close_notify inside
                // read() with its own close_notify and a shutdown of the output: a shutdown event
                // that sent close_notify, then the app's close, which sends none. When the client's
                // RST (the closed client's kernel refusing that close_notify) is processed is up to
                // the kernel, so how/cause/tcpState are not checked here (CloseClassifierTest
                // covers a reset seen by the shutdown); the per-event wire rule still is.
                server("SSLSocket", NO_RST, shutdownOutput().closeNotify(true),
                        close().peer().closeNotify(false)),
                listener("ServerSocket")));
        all.add(plainClose("channelCloseAfterReadingEverything", "SocketChannel", "SocketChannel",
                "ServerSocketChannel"));
        all.add(plainClose("channelCloseThroughSocketAdaptor", "SocketChannel", "SocketChannel",
                "ServerSocketChannel"));
        all.add(shutdownOutputThenClose("channelShutdownOutputThenClose", "SocketChannel", "SocketChannel",
                "ServerSocketChannel"));
        all.add(shutdownInputThenClose("channelShutdownInputThenClose", "SocketChannel", "SocketChannel",
                "ServerSocketChannel"));
        all.add(scenario("channelReadInterruptedByAnotherThread",
                // thread.name is the interrupting (scenario) thread, not reader-...
                client("SocketChannel", FIN, close().graceful().cause("interrupt").local().nothingPending()
                        .tcpState(ESTABLISHED)),
                server("SocketChannel", FIN, close().graceful().peer().nothingPending().tcpState(CLOSE_WAIT)),
                listener("ServerSocketChannel")));
        all.add(scenario("channelClosedWhileAnotherThreadReads",
                client("SocketChannel", FIN, close().graceful().cause("async-close").local().nothingPending()
                        .tcpState(ESTABLISHED)),
                server("SocketChannel", FIN, close().graceful().peer().nothingPending().tcpState(CLOSE_WAIT)),
                listener("ServerSocketChannel")));
        all.add(scenario("channelCloseWithUnreadInput",
                client("SocketChannel", RST_ONLY, close().abortive("unread-input").local()
                        .pendingIn(CloseScenarios.UNREAD_BYTES).pendingOut(0).tcpState(ESTABLISHED)),
                // pendingOut is not checked: an RST acknowledges nothing, so whether the 1,000
                // bytes count as acknowledged depends on whether the client's ACK left before it.
                server("SocketChannel", NOTHING, close().abortive("peer-reset").peer().pendingIn(0)
                        .tcpState(CLOSE)),
                listener("ServerSocketChannel")));
        // A registered channel's close shuts output at once; the selector releases the descriptor later.
        all.add(scenario("registeredChannelReleasedAfterPeerFin",
                server("SocketChannel", FIN, close().graceful().local()
                        .pendingIn(CloseScenarios.UNREAD_BYTES).pendingOut(0).tcpState(ESTABLISHED)),
                client("SocketChannel", FIN, close().graceful().peer().nothingPending().tcpState(CLOSE_WAIT)),
                listener("ServerSocketChannel")));
        all.add(scenario("registeredChannelReleasedBeforePeerFin",
                server("SocketChannel", FIN_THEN_RST, close().abortive("unread-input").local()
                        .pendingIn(CloseScenarios.UNREAD_BYTES).pendingOut(0).tcpState(ESTABLISHED)),
                client("SocketChannel", NOTHING, close().abortive("peer-reset").peer().pendingIn(0).tcpState(CLOSE)),
                listener("ServerSocketChannel")));
        all.add(scenario("channelCloseWithLingerZeroWhileSendQueueFull",
                client("SocketChannel", RST_ONLY, close().abortive("linger-zero").local().pendingIn(0)
                        .pendingOutPositiveAtMost("written").tcpState(ESTABLISHED)),
                server("Socket", NOTHING, close().abortive("peer-reset").peer().nothingPending().tcpState(CLOSE)),
                listener("ServerSocket")));
        all.add(plainClose("channelClosedTwice", "SocketChannel", "SocketChannel", "ServerSocketChannel"));
        all.add(scenario("serverSocketChannelClose", listener("ServerSocketChannel")));
        all.add(plainClose("asyncChannelCloseAfterReadingEverything", "AsynchronousSocketChannel", "Socket",
                "ServerSocket"));
        all.add(shutdownOutputThenClose("asyncChannelShutdownOutputThenClose", "AsynchronousSocketChannel",
                "Socket", "ServerSocket"));
        // Not TCP: no ends are reported and no event may appear (checked as "no unexpected events").
        all.add(scenario("unixDomainChannelsClose"));
        all.add(scenario("datagramSocketAndChannelClose"));
        Scenario virtual = plainClose("socketClosedByVirtualThread", "Socket", "Socket", "ServerSocket");
        virtual.minFeature = 21;
        virtual.virtualThread = true;
        all.add(virtual);

        List<String> names = new ArrayList<>();
        all.forEach(s -> names.add(s.name));
        if (!names.equals(CloseScenarios.SCENARIOS)) {
            throw new IllegalStateException("ScenarioTable and CloseScenarios.SCENARIOS disagree:\n"
                    + names + "\n" + CloseScenarios.SCENARIOS);
        }
        return all;
    }

    // ------------------------------------------------------------------------------------------
    // Checking one event

    /** Compares an expected field value with the event's; null means JSON null or absent. */
    static String compare(String field, Object expected, JsonNode event) {
        JsonNode actual = event.get(field);
        boolean actualNull = actual == null || actual.isNull();
        if (expected == null) {
            return actualNull ? null : field + ": expected null, was " + actual;
        }
        if (actualNull) {
            return field + ": expected " + expected + ", was " + (actual == null ? "absent" : "null");
        }
        boolean same;
        if (expected instanceof String) {
            same = actual.isTextual() && actual.asText().equals(expected);
        } else if (expected instanceof Integer || expected instanceof Long) {
            same = actual.isIntegralNumber() && actual.asLong() == ((Number) expected).longValue();
        } else if (expected instanceof Boolean) {
            same = actual.isBoolean() && actual.asBoolean() == (Boolean) expected;
        } else {
            throw new IllegalArgumentException(String.valueOf(expected));
        }
        return same ? null : field + ": expected " + quote(expected) + ", was " + actual;
    }

    private static String quote(Object value) {
        return value instanceof String ? "\"" + value + "\"" : Objects.toString(value);
    }
}
