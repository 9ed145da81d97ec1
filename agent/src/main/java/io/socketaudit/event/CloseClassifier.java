package io.socketaudit.event;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.kernel.TcpSnapshot;
import io.socketaudit.kernel.TcpState;
import io.socketaudit.logformat.Api;
import io.socketaudit.logformat.Event;
import io.socketaudit.logformat.Operation;
import io.socketaudit.logformat.Value;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Turns what was captured at a close into the event's answers: how the connection ended on the wire,
 * why, and which side ended it first. The rules follow what Linux does in tcp_close() and what the JDK
 * does before it (docs/internals.md; the end-to-end tests check them against a capture).
 */
public final class CloseClassifier {

    private CloseClassifier() {
    }

    public static CloseEvent classify(PendingClose p, StackDecoder stacks) {
        OpenConnections.Connection connection = p.connection;
        StackDecoder.Decoded stack = stacks.decode(p.stack);
        int api = p.api;
        // A TLS socket's own shutdowns and the closes its engine makes reach the plain socket underneath.
        if (api == SocketBridge.SOCKET && stack.underTlsSocket) {
            api = SocketBridge.SSL_SOCKET;
        }
        boolean close = p.op == SocketBridge.CLOSE;
        TcpSnapshot entry = p.entry;
        String how = null;
        String cause = null;
        String initiator = null;
        Long pendingIn = null;
        Long pendingOut = null;
        Long bytesIn = null;
        Long bytesOut = null;
        Long sinceDataInMs = null;
        Long sinceDataOutMs = null;
        if (!Api.of(api).isListener()) {
            how = close ? null : Value.HALF_CLOSE;
            initiator = p.priorInitiator;
            boolean peerReset = false;
            if (entry != null) {
                int state = entry.state();
                peerReset = p.foundPeerReset();
                initiator = initiator(state, p.priorInitiator, p.outputShutdown);
                pendingIn = (long) entry.recvQueue();
                pendingOut = unsentBytes(entry);
                bytesIn = bytesIn(entry, peerReset);
                bytesOut = bytesOut(entry);
                sinceDataInMs = entry.sinceDataInMs() < 0 ? null : entry.sinceDataInMs();
                sinceDataOutMs = entry.sinceDataOutMs() < 0 ? null : entry.sinceDataOutMs();
            }
            if (close) {
                String abortCause = null;
                if (entry != null) {
                    TcpSnapshot release = p.release != null ? p.release : entry;
                    if (peerReset) {
                        how = Value.ABORTIVE;
                    } else if (entry.state() == TcpState.CLOSE || release.state() == TcpState.CLOSE) {
                        how = Value.GRACEFUL; // both FINs exchanged already: the close sends nothing more
                    } else if (entry.lingerZero()) {
                        how = Value.ABORTIVE;
                        abortCause = Value.CAUSE_LINGER_ZERO;
                    } else if (release.recvQueue() > 0) {
                        how = Value.ABORTIVE; // Linux answers a close with unread data by RST
                        abortCause = Value.CAUSE_UNREAD_INPUT;
                    } else {
                        how = Value.GRACEFUL;
                    }
                }
                if (peerReset) {
                    cause = Value.CAUSE_PEER_RESET;
                } else if (closedByInterrupt(p, stack)) {
                    cause = Value.CAUSE_INTERRUPT;
                } else if (p.otherThreadBusy) {
                    cause = Value.CAUSE_ASYNC_CLOSE;
                } else {
                    cause = abortCause;
                }
            } else if (peerReset) {
                cause = Value.CAUSE_PEER_RESET;
            }
        }
        Long openedAt = connection.openedAtMicros != 0 ? connection.openedAtMicros : null;
        return new CloseEvent(close ? Event.CLOSE : Event.SHUTDOWN, p.timeMicros, connection.id, Api.of(api).text(),
                Api.of(api).transport(), Operation.ofEnding(p.op).text(),
                localAddress(entry, p, connection),
                Api.of(api).isListener() ? null : remoteAddress(entry, p, connection),
                how, cause, initiator, pendingIn, pendingOut,
                entry != null ? TcpState.name(entry.state()) : null,
                closeNotify(api, p),
                p.threadName, p.threadId, p.virtualThread,
                openedAt, openedAt != null ? p.timeMicros - openedAt : null, bytesIn, bytesOut, sinceDataInMs,
                sinceDataOutMs, stack.stack);
    }

    /** The kernel's view at the close, else what the JDK or the open recorded. */
    private static String localAddress(TcpSnapshot entry, PendingClose p, OpenConnections.Connection connection) {
        String kernel = entry != null ? TcpSnapshot.localText(entry.addresses()) : null;
        if (kernel == null) {
            kernel = TcpSnapshot.localText(connection.kernelAddresses);
        }
        return address(kernel, p.javaLocal != null ? p.javaLocal : connection.local, 0);
    }

    /** The kernel's view at the close, else what the JDK or the open recorded (after a reset the kernel has none). */
    private static String remoteAddress(TcpSnapshot entry, PendingClose p, OpenConnections.Connection connection) {
        String kernel = entry != null ? TcpSnapshot.remoteText(entry.addresses()) : null;
        if (kernel == null) {
            kernel = TcpSnapshot.remoteText(connection.kernelAddresses);
        }
        return address(kernel, p.javaRemote, p.javaRemotePort);
    }

    /** TLS closes and output shutdowns only: whether this operation wrote a close_notify alert. */
    private static Boolean closeNotify(int api, PendingClose p) {
        if (api != SocketBridge.SSL_SOCKET || p.op == SocketBridge.SHUTDOWN_INPUT) {
            return null;
        }
        return p.closeNotify != null ? p.closeNotify : Boolean.FALSE;
    }

    /**
     * Data bytes received over the connection's life: the kernel's count, which includes the peer's FIN
     * once it arrived. {@code null} when the kernel does not keep the count.
     */
    static Long bytesIn(TcpSnapshot entry, boolean peerReset) {
        if (entry.bytesReceived() < 0) {
            return null;
        }
        int state = entry.state();
        boolean peerFinIn = TcpState.peerFinFirst(state) || state == TcpState.CLOSING || state == TcpState.TIME_WAIT
                || (state == TcpState.CLOSE && !peerReset);
        return entry.bytesReceived() - (peerFinIn ? 1 : 0);
    }

    /** Data bytes the application wrote over the connection's life: sent once, plus not yet sent. */
    static Long bytesOut(TcpSnapshot entry) {
        return entry.bytesSent() < 0 || entry.notSent() < 0 ? null : entry.bytesSent() + entry.notSent();
    }

    /**
     * Which side ended the connection first, from the kernel's state at the start of the operation and
     * what an earlier shutdown of the same connection recorded; {@code null} when it cannot be known.
     */
    static String initiator(int state, String prior, boolean outputShutdown) {
        if (prior != null) {
            return prior;
        }
        if (state == TcpState.ESTABLISHED || TcpState.localFinSent(state)) {
            return Value.LOCAL;
        }
        if (TcpState.peerFinFirst(state)) {
            return Value.PEER;
        }
        if (state == TcpState.CLOSE) {
            // Without our FIN, only the peer's reset ends a connection here; after it, either side may have been first.
            return outputShutdown ? null : Value.PEER;
        }
        return null;
    }

    /** The send queue less the FIN, which the kernel counts as a byte until the peer acknowledges it. */
    static long unsentBytes(TcpSnapshot snapshot) {
        int state = snapshot.state();
        boolean finQueued = state == TcpState.FIN_WAIT1 || state == TcpState.CLOSING || state == TcpState.LAST_ACK;
        return finQueued && snapshot.sendQueue() > 0 ? snapshot.sendQueue() - 1 : snapshot.sendQueue();
    }

    private static boolean closedByInterrupt(PendingClose p, StackDecoder.Decoded stack) {
        // Channels: the interrupting thread closes from inside Thread.interrupt().
        // JDK 21+: an interrupted virtual thread blocked in a Socket stream closes the socket itself.
        return stack.insideThreadInterrupt || (p.threadInterrupted && stack.insideSocketStreamIo);
    }

    /** {@code ip:port} or {@code [v6]:port}: the kernel's address first (as text), else the one the JDK kept. */
    static String address(String kernel, Object java, int javaPort) {
        if (kernel != null) {
            return kernel;
        }
        InetAddress ip;
        int port;
        if (java instanceof InetSocketAddress isa) {
            ip = isa.getAddress();
            port = isa.getPort();
        } else if (java instanceof InetAddress ia) {
            ip = ia;
            port = javaPort;
        } else {
            return null;
        }
        if (ip == null) {
            return null;
        }
        String host = ip.getHostAddress();
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        return ip instanceof Inet6Address ? "[" + host + "]:" + port : host + ":" + port;
    }
}
