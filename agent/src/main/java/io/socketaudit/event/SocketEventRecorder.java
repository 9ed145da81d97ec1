package io.socketaudit.event;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.bootstrap.SocketEventListener;
import io.socketaudit.kernel.JdkSocketFields;
import io.socketaudit.kernel.KernelProbe;
import io.socketaudit.kernel.TcpSnapshot;
import io.socketaudit.kernel.TcpState;
import io.socketaudit.logformat.Api;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Predicate;

/**
 * Runs on the application's thread inside every audited open, close and shutdown: asks the kernel, notes
 * the thread and an undecoded stack, and hands the result to the log writer's bounded queue. It never
 * blocks and never throws into the application (the bridge catches and counts).
 */
public final class SocketEventRecorder implements SocketEventListener {

    /** The operation being recorded on this thread, so that nested JDK calls attach to it. */
    private static final ThreadLocal<PendingClose> CURRENT = new ThreadLocal<>();
    /**
     * A TLS close_notify this thread wrote outside a TLS close: the JDK answers the peer's close_notify from
     * inside a read, and then shuts the output down, which is the next operation on this thread.
     */
    private static final ThreadLocal<Boolean> CLOSE_NOTIFY_WRITTEN = new ThreadLocal<>();
    /** The Netty close this thread runs was asked for on another thread: that request. */
    private static final ThreadLocal<PendingClose.Request> CLOSE_REQUESTED_BY = new ThreadLocal<>();
    /**
     * The connection this thread last found in a new Netty socket made around an accepted descriptor: io_uring wraps
     * an accepted descriptor twice, one right after the other, and only the second wrapper goes on to be closed.
     */
    private static final ThreadLocal<OpenConnections.Connection> LAST_ACCEPTED = new ThreadLocal<>();

    private final OpenConnections connections;
    private final Predicate<Captured> sink;
    /** Asynchronous connects asked for and not completed, by channel; weak, so a channel dropped meanwhile goes. */
    private final Map<Object, PendingOpen.Request> connectRequests = Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * Channel closes whose descriptor a selector still holds, by descriptor; weak, and the waiting events hold
     * neither the descriptor nor the channel, so a channel dropped unreleased goes (and is reported as a leak).
     */
    private final Map<FileDescriptor, PendingClose> awaitingRelease = Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * Netty closes asked for and not yet run, by channel (the first request wins); weak, as channels go. By channel,
     * not by the promise asked with: io_uring runs the close with a promise of its own, often later, on a completion.
     */
    private final Map<Object, PendingClose.Request> closeRequests = Collections.synchronizedMap(new WeakHashMap<>());

    /** @param sink takes an event for the log, and says whether it did (or had to drop it) */
    public SocketEventRecorder(OpenConnections connections, Predicate<Captured> sink) {
        this.connections = connections;
        this.sink = sink;
    }

    @Override
    public void opened(int api, int how, Object owner, FileDescriptor fd, Object local, Object remote, int remotePort) {
        if (!isInternetOrUnknown(local) || !isInternetOrUnknown(remote)) {
            return; // UNIX-domain channels share these JDK classes
        }
        FileDescriptor descriptor = fd != null ? fd : JdkSocketFields.socketImplFd(owner);
        if (how == SocketBridge.ACCEPT && fd == null && remote == null) {
            remote = JdkSocketFields.socketImplPeerAddress(owner); // an accepted SocketImpl: the JDK has the peer
            remotePort = JdkSocketFields.socketImplPeerPort(owner);
        }
        OpenConnections.Connection connection = connections.opened(owner, api, how, Clock.nowMicros(), local, remote,
                remotePort);
        if (connection == null) {
            return; // seen already (finishConnect after connect)
        }
        if (descriptor != null && (local == null || remote == null)) {
            connection.kernelAddresses = KernelProbe.addresses(descriptor, local == null, remote == null);
        }
        // Only asynchronous channels ask ahead (connecting); the map's lock stays off every other connect.
        PendingOpen.Request request = how == SocketBridge.CONNECT && api == SocketBridge.ASYNC_SOCKET_CHANNEL
                ? connectRequests.remove(owner) : null;
        connection.openLinePending = true;
        if (!sink.test(request != null ? new PendingOpen(connection, request) : new PendingOpen(connection))) {
            connection.openLinePending = false; // dropped: a leak line will not wait for it
        }
    }

    @Override
    public void nettyCloseRequested(Object promise) {
        Object channel = NettyObjects.channel(promise);
        if (!closeRequests.containsKey(channel)) {
            closeRequests.putIfAbsent(channel, new PendingClose.Request(SocketBridge.NETTY_EPOLL_SOCKET));
        }
    }

    @Override
    public void nettyCloseRequestReturned(Object promise) {
        PendingClose.Request request = closeRequests.isEmpty() ? null : closeRequests.get(NettyObjects.channel(promise));
        if (request != null) {
            request.returned = true;
        }
    }

    @Override
    public void nettyCloseRuns(Object promise) {
        PendingClose.Request request = closeRequests.isEmpty() ? null : closeRequests.remove(NettyObjects.channel(promise));
        if (request != null && (request.returned || request.threadId != Thread.currentThread().getId())) {
            CLOSE_REQUESTED_BY.set(request);
        }
    }

    @Override
    public void nettyCloseDone() {
        CLOSE_REQUESTED_BY.remove();
    }

    /** A close event, of the code that asked for it when Netty runs it for another thread. */
    private static PendingClose newPendingClose(int api, int op) {
        PendingClose.Request requestedBy = op == SocketBridge.CLOSE ? CLOSE_REQUESTED_BY.get() : null;
        return requestedBy != null ? new PendingClose(api, op, requestedBy) : new PendingClose(api, op);
    }

    @Override
    public void connecting(Object owner) {
        connectRequests.put(owner, new PendingOpen.Request(SocketBridge.ASYNC_SOCKET_CHANNEL));
    }

    /**
     * Netty's native sockets are kept only where the kernel says they are TCP connections: their descriptor
     * class also serves listeners, eventfds, pipes and UNIX-domain sockets, and a socket is made before it
     * connects. Without the kernel probe they are not audited.
     */
    @Override
    public void nativeOpened(int how, Object owner, int fd) {
        if (how == SocketBridge.CONNECT && connections.isOpen(owner)) {
            return; // finishConnect() recorded it; io_uring's channel then learns its peer, and says so again
        }
        TcpSnapshot snapshot = KernelProbe.probeOpening(fd >= 0 ? fd : NettyObjects.descriptor(owner));
        if (snapshot == null || snapshot == KernelProbe.NOT_TCP || !isConnection(snapshot.state())) {
            return;
        }
        if (how == SocketBridge.ACCEPT && wrapsLastAccepted(owner, snapshot)) {
            return;
        }
        OpenConnections.Connection connection = connections.opened(owner, nettyApi(owner), how, Clock.nowMicros(),
                null, null, 0);
        if (connection == null) {
            return;
        }
        connection.kernelAddresses = snapshot.addresses();
        if (how == SocketBridge.ACCEPT) {
            LAST_ACCEPTED.set(connection);
        }
        connection.openLinePending = true;
        if (!sink.test(new PendingOpen(connection))) {
            connection.openLinePending = false;
        }
    }

    /**
     * Whether {@code owner} is one more socket object around the connection this thread accepted last (the same
     * addresses, so the same descriptor, still open): it takes that connection over, and the first object, which
     * Netty drops, is no leak.
     */
    private boolean wrapsLastAccepted(Object owner, TcpSnapshot snapshot) {
        OpenConnections.Connection last = LAST_ACCEPTED.get();
        if (last == null || !Arrays.equals(last.kernelAddresses, snapshot.addresses())) {
            return false;
        }
        LAST_ACCEPTED.remove();
        return connections.moveTo(last, owner);
    }

    @Override
    public Object enterNative(int op, Object owner, int fd, boolean outputShutdown) {
        boolean known = connections.isOpen(owner);
        TcpSnapshot snapshot = KernelProbe.probe(fd, !known, !known);
        if (snapshot == null ? !known : snapshot == KernelProbe.NOT_TCP) {
            return null;
        }
        int api = nettyApi(owner);
        if (snapshot != null && snapshot.state() == TcpState.LISTEN) {
            api = Api.nettyListener(api);
        } else if (!known && snapshot != null && !isConnection(snapshot.state())) {
            return null; // never connected: a connect that failed or was given up
        }
        PendingClose pending = newPendingClose(api, op);
        pending.bindNative(owner, fd, outputShutdown, snapshot);
        CURRENT.set(pending);
        return pending;
    }

    @Override
    public Object enter(int api, int op, Object owner, FileDescriptor fd, Object local, Object remote, int remotePort,
                        boolean outputShutdown, boolean otherThreadBusy) {
        if (!isInternetOrUnknown(local) || !isInternetOrUnknown(remote)) {
            return null;
        }
        PendingClose current = CURRENT.get();
        if (current != null && current.api == SocketBridge.SSL_SOCKET) {
            // The shutdowns and close a TLS close makes underneath belong to that one event; the kernel was
            // asked at the TLS close's entry, before its alerts were written, where that was possible.
            if (!current.isBound()) {
                current.bind(owner, fd, local, remote, remotePort, outputShutdown,
                        current.entry != null ? current.entry : KernelProbe.probe(fd, local == null, remote == null));
            }
            return null;
        }
        boolean closeNotifyWritten = CLOSE_NOTIFY_WRITTEN.get() != null;
        if (closeNotifyWritten) {
            CLOSE_NOTIFY_WRITTEN.remove();
        }
        // A Socket's local address was read when it was opened; only a socket opened before the agent came needs it now.
        boolean localKnown = local != null || connections.knowsLocalAddress(owner);
        TcpSnapshot snapshot = KernelProbe.probe(fd, !localKnown, remote == null && !isListener(api));
        if (snapshot == KernelProbe.NOT_TCP || (isListener(api) && snapshot != null && snapshot.state() != TcpState.LISTEN)) {
            return null;
        }
        PendingClose pending = newPendingClose(api, op);
        pending.bind(owner, fd, local, remote, remotePort, outputShutdown, snapshot);
        pending.otherThreadBusy = otherThreadBusy;
        if (closeNotifyWritten) {
            pending.closeNotify = Boolean.TRUE;
        }
        CURRENT.set(pending);
        return pending;
    }

    /**
     * The JDK shuts a Socket's output down before releasing it; when input was left unread, whether the
     * kernel's close then sends RST depends on whether the FIN exchange finished in between, so look again.
     */
    @Override
    public void beforeRelease(FileDescriptor fd) {
        PendingClose current = CURRENT.get();
        if (current != null && current.fd == fd) {
            current.released = true;
            if (current.op == SocketBridge.CLOSE && releaseDecidesTheWire(current.entry)) {
                current.release = KernelProbe.probeStateAndInput(fd);
            }
            return;
        }
        PendingClose deferred = awaitingRelease.isEmpty() ? null : awaitingRelease.remove(fd);
        if (deferred != null) {
            deferred.release = KernelProbe.probeStateAndInput(fd);
            connections.closed(deferred.connection);
            finish(deferred, deferred.connection);
        }
    }

    @Override
    public void exit(Object token) {
        PendingClose pending = (PendingClose) token;
        if (CURRENT.get() == pending) {
            CURRENT.remove();
        }
        if (!pending.isBound() || pending.entry == KernelProbe.NOT_TCP) {
            return; // a TLS close that found nothing open underneath
        }
        if (awaitsRelease(pending)) {
            OpenConnections.Connection known = connections.find(pending.owner);
            if (known != null) {
                // Until the release the connection stays open: if the JVM ends first, it is open at exit.
                pending.connection = known;
                awaitingRelease.put(pending.fd, pending);
                pending.owner = null;
                pending.fd = null;
                return;
            }
        }
        OpenConnections.Connection connection = pending.op == SocketBridge.CLOSE
                ? connections.onClose(pending.owner, pending.api, pending.javaLocal, pending.javaRemote,
                        pending.javaRemotePort)
                : connections.onShutdown(pending.owner, pending.api, pending.javaLocal, pending.javaRemote,
                        pending.javaRemotePort);
        finish(pending, connection);
    }

    /**
     * Input was left unread, and neither SO_LINGER 0 nor a finished exchange settles the close: whether the kernel
     * sends RST depends on whether the peer's FIN arrived before the descriptor is released.
     */
    private static boolean releaseDecidesTheWire(TcpSnapshot entry) {
        return entry != null && entry.recvQueue() > 0 && !entry.lingerZero() && entry.state() != TcpState.CLOSE;
    }

    /**
     * A channel registered with a selector shuts its output down at {@code close()} and is released later, on the
     * selector's thread (or by the last thread leaving I/O): its event waits for the release when that decides it.
     */
    private static boolean awaitsRelease(PendingClose pending) {
        return pending.api == SocketBridge.SOCKET_CHANNEL && pending.op == SocketBridge.CLOSE && !pending.released
                && releaseDecidesTheWire(pending.entry);
    }

    /** Completes an operation with the connection it belongs to, and hands it to the log. */
    private void finish(PendingClose pending, OpenConnections.Connection connection) {
        pending.connection = connection;
        pending.priorInitiator = connection.initiator;
        pending.priorPeerReset = connection.peerReset;
        if ((pending.op == SocketBridge.SHUTDOWN_OUTPUT || pending.op == SocketBridge.SHUTDOWN_BOTH)
                && connection.initiator == null && pending.entry != null) {
            connection.initiator = CloseClassifier.initiator(pending.entry.state(), null, false);
        }
        if (pending.op != SocketBridge.CLOSE && pending.foundPeerReset()) {
            connection.peerReset = true;
        }
        // The descriptor and its owner are not needed past this point; the queue should not keep them alive.
        pending.owner = null;
        pending.fd = null;
        sink.test(pending);
    }

    @Override
    public Object enterTlsClose(Object tlsSocket) {
        if (CURRENT.get() != null) {
            return null;
        }
        PendingClose pending = new PendingClose(SocketBridge.SSL_SOCKET, SocketBridge.CLOSE);
        pending.closeNotify = Boolean.FALSE;
        FileDescriptor fd = JdkSocketFields.socketFd(tlsSocket);
        TcpSnapshot entry = fd != null ? KernelProbe.probe(fd, true, true) : null;
        if (entry != KernelProbe.NOT_TCP) {
            pending.entry = entry;
        }
        CURRENT.set(pending);
        return pending;
    }

    @Override
    public void tlsAlert(byte description) {
        if (description != 0) {
            return; // only close_notify matters here
        }
        PendingClose current = CURRENT.get();
        if (current == null) {
            CLOSE_NOTIFY_WRITTEN.set(Boolean.TRUE);
        } else if (current.api == SocketBridge.SSL_SOCKET) {
            current.closeNotify = Boolean.TRUE;
        }
    }

    /** Netty's transport, from the class of its socket: {@code io.netty.channel.uring.LinuxSocket} and the like. */
    private static int nettyApi(Object nettySocket) {
        return nettySocket.getClass().getName().contains(".uring.")
                ? SocketBridge.NETTY_IO_URING_SOCKET : SocketBridge.NETTY_EPOLL_SOCKET;
    }

    /** A connection, established or already half-closed by the peer; not a new socket, a listener or a failed connect. */
    private static boolean isConnection(int state) {
        return state == TcpState.ESTABLISHED || TcpState.peerFinFirst(state);
    }

    private static boolean isListener(int api) {
        return Api.of(api).isListener();
    }

    private static boolean isInternetOrUnknown(Object address) {
        return address == null || address instanceof InetSocketAddress || address instanceof InetAddress;
    }
}
