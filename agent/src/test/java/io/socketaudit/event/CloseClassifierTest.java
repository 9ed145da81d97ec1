package io.socketaudit.event;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.kernel.TcpSnapshot;
import io.socketaudit.kernel.TcpState;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloseClassifierTest {

    private static final InetSocketAddress LOCAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 6000);

    static TcpSnapshot snapshot(int state, int recvQueue, int sendQueue, boolean lingerZero) {
        return new TcpSnapshot(state, recvQueue, sendQueue, lingerZero, 0, 0, 0, 0, 0, TcpSnapshot.encode(LOCAL, REMOTE));
    }

    static PendingClose close(int api, int op, TcpSnapshot entry, TcpSnapshot release, boolean outputShutdown) {
        PendingClose p = new PendingClose(api, op);
        p.bind(new Object(), new java.io.FileDescriptor(), null, null, 0, outputShutdown, entry);
        p.release = release;
        p.connection = new OpenConnections().onClose(new Object(), api, null, null, 0);
        return p;
    }

    private static CloseEvent classify(PendingClose p) {
        return CloseClassifier.classify(p, new StackDecoder(32));
    }

    @Test
    void plainCloseIsGracefulAndOurs() {
        CloseEvent e = classify(close(SocketBridge.SOCKET, SocketBridge.CLOSE,
                snapshot(TcpState.ESTABLISHED, 0, 0, false), snapshot(TcpState.FIN_WAIT2, 0, 0, false), false));
        assertEquals("close", e.event());
        assertEquals("graceful", e.how());
        assertNull(e.cause());
        assertEquals("local", e.initiator());
        assertEquals(0L, e.pendingIn());
        assertEquals("127.0.0.1:5000", e.local());
        assertEquals("127.0.0.1:6000", e.remote());
        assertEquals("ESTABLISHED", e.tcpState());
    }

    @Test
    void unreadInputMakesTheCloseAReset() {
        CloseEvent e = classify(close(SocketBridge.SOCKET_CHANNEL, SocketBridge.CLOSE,
                snapshot(TcpState.ESTABLISHED, 1000, 0, false), null, false));
        assertEquals("abortive", e.how());
        assertEquals("unread-input", e.cause());
        assertEquals(1000L, e.pendingIn());
    }

    @Test
    void unreadInputAfterBothFinsIsNoLongerAReset() {
        // Socket.close() in CLOSE_WAIT: the JDK's own shutdown completes the exchange before the descriptor goes.
        CloseEvent e = classify(close(SocketBridge.SOCKET, SocketBridge.CLOSE,
                snapshot(TcpState.CLOSE_WAIT, 100, 0, false), snapshot(TcpState.CLOSE, 100, 0, false), false));
        assertEquals("graceful", e.how());
        assertEquals("peer", e.initiator());
        assertEquals(100L, e.pendingIn());
    }

    @Test
    void lingerZeroIsAReset() {
        CloseEvent e = classify(close(SocketBridge.SOCKET, SocketBridge.CLOSE,
                snapshot(TcpState.ESTABLISHED, 0, 5000, true), null, false));
        assertEquals("abortive", e.how());
        assertEquals("linger-zero", e.cause());
        assertEquals(5000L, e.pendingOut());
    }

    @Test
    void aClosedKernelSocketWithoutOurFinWasResetByThePeer() {
        CloseEvent e = classify(close(SocketBridge.SOCKET, SocketBridge.CLOSE,
                snapshot(TcpState.CLOSE, 0, 0, false), null, false));
        assertEquals("abortive", e.how());
        assertEquals("peer-reset", e.cause());
        assertEquals("peer", e.initiator());
    }

    @Test
    void aClosedKernelSocketAfterOurShutdownKeepsTheShutdownsInitiator() {
        PendingClose p = close(SocketBridge.SOCKET, SocketBridge.CLOSE, snapshot(TcpState.CLOSE, 0, 0, false), null, true);
        p.priorInitiator = "local";
        CloseEvent e = classify(p);
        assertEquals("graceful", e.how());
        assertNull(e.cause());
        assertEquals("local", e.initiator());
    }

    @Test
    void aResetSeenByAnEarlierShutdownMakesTheCloseAPeerReset() {
        PendingClose p = close(SocketBridge.SSL_SOCKET, SocketBridge.CLOSE, snapshot(TcpState.CLOSE, 0, 40, false), null, true);
        p.priorInitiator = "peer";
        p.priorPeerReset = true;
        CloseEvent e = classify(p);
        assertEquals("abortive", e.how());
        assertEquals("peer-reset", e.cause());
        assertEquals("peer", e.initiator());
        assertEquals(Boolean.FALSE, e.closeNotify());
    }

    @Test
    void withoutAnEarlierShutdownOnRecordTheInitiatorOfAFinishedExchangeIsUnknown() {
        CloseEvent e = classify(close(SocketBridge.SOCKET, SocketBridge.CLOSE,
                snapshot(TcpState.CLOSE, 0, 0, false), null, true));
        assertNull(e.initiator());
        assertEquals("graceful", e.how());
    }

    @Test
    void shutdownIsAHalfCloseAndTheFinIsNotCountedAsPendingOutput() {
        CloseEvent e = classify(close(SocketBridge.SOCKET, SocketBridge.SHUTDOWN_OUTPUT,
                snapshot(TcpState.CLOSE_WAIT, 0, 0, false), null, false));
        assertEquals("shutdown", e.event());
        assertEquals("shutdownOutput", e.op());
        assertEquals("half-close", e.how());
        assertEquals("peer", e.initiator());
        assertEquals(7L, CloseClassifier.unsentBytes(snapshot(TcpState.FIN_WAIT1, 0, 8, false)));
        assertEquals(0L, CloseClassifier.unsentBytes(snapshot(TcpState.LAST_ACK, 0, 1, false)));
        assertEquals(8L, CloseClassifier.unsentBytes(snapshot(TcpState.ESTABLISHED, 0, 8, false)));
    }

    @Test
    void anotherThreadBlockedInIoMakesItAnAsyncClose() {
        PendingClose p = close(SocketBridge.SOCKET_CHANNEL, SocketBridge.CLOSE,
                snapshot(TcpState.ESTABLISHED, 0, 0, false), null, false);
        p.otherThreadBusy = true;
        CloseEvent e = classify(p);
        assertEquals("graceful", e.how());
        assertEquals("async-close", e.cause());
    }

    @Test
    void idleTimesAreTheKernelsAtTheStartOfTheClose() {
        TcpSnapshot idle = new TcpSnapshot(TcpState.CLOSE_WAIT, 0, 0, false, 10, 0, 11, 30_000, 29_990,
                TcpSnapshot.encode(LOCAL, REMOTE));
        CloseEvent e = classify(close(SocketBridge.SOCKET, SocketBridge.CLOSE, idle, idle, false));
        assertEquals(30_000L, e.sinceDataInMs());
        assertEquals(29_990L, e.sinceDataOutMs());
    }

    @Test
    void listenersHaveNoRemoteNoHowAndNoPending() {
        CloseEvent e = classify(close(SocketBridge.SERVER_SOCKET, SocketBridge.CLOSE,
                new TcpSnapshot(TcpState.LISTEN, 0, 0, false, -1, -1, -1, -1, -1, TcpSnapshot.encode(LOCAL, null)), null, false));
        assertEquals("ServerSocket", e.api());
        assertNull(e.remote());
        assertNull(e.how());
        assertNull(e.initiator());
        assertNull(e.pendingIn());
        assertNull(e.pendingOut());
        assertEquals("LISTEN", e.tcpState());
    }

    @Test
    void withoutTheKernelNothingIsGuessed() {
        PendingClose p = close(SocketBridge.SOCKET, SocketBridge.CLOSE, null, null, false);
        p.javaRemote = InetAddress.getLoopbackAddress();
        p.javaRemotePort = 7000;
        CloseEvent e = classify(p);
        assertNull(e.how());
        assertNull(e.initiator());
        assertNull(e.pendingIn());
        assertNull(e.pendingOut());
        assertNull(e.tcpState());
        assertNull(e.sinceDataInMs());
        assertNull(e.sinceDataOutMs());
        assertNull(e.local());
        assertEquals("127.0.0.1:7000", e.remote());
    }

    @Test
    void callerIsTheFirstFrameOutsideTheJdkAndTheStackStartsBelowTheAgent() {
        CloseEvent e = classify(close(SocketBridge.SOCKET, SocketBridge.CLOSE,
                snapshot(TcpState.ESTABLISHED, 0, 0, false), null, false));
        assertTrue(e.caller().startsWith("io.socketaudit.event.CloseClassifierTest.close(CloseClassifierTest.java:"),
                e.caller());
        assertTrue(e.stack().text().get(0).startsWith("io.socketaudit.event.CloseClassifierTest.close("),
                e.stack().text().get(0));
        assertTrue(e.stack().text().size() <= 32);
    }

    @Test
    void ipv6AddressesAreBracketed() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 443);
        assertEquals("[0:0:0:0:0:0:0:1]:443", CloseClassifier.address(null, v6, 0));
        assertEquals("[0:0:0:0:0:0:0:1]:443", TcpSnapshot.localText(TcpSnapshot.encode(v6, null)));
        assertEquals("127.0.0.1:80", CloseClassifier.address(null, InetAddress.getLoopbackAddress(), 80));
        assertNull(CloseClassifier.address(null, null, 0));
    }
}
