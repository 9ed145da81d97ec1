package io.socketaudit.bootstrap;

import jdk.internal.vm.annotation.DontInline;

import java.io.FileDescriptor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The only class advice code calls. It lives on the bootstrap class path, so the JDK's own classes can
 * see it, and it depends on nothing but {@code java.base}: it checks whether an agent is listening and
 * forwards. Whatever goes wrong beyond this point is caught, counted and kept for the log, never
 * thrown into the application.
 *
 * <p>Each hook is {@code @DontInline} (honoured for classes the bootstrap loader defines): the advice in a JDK
 * method stays a call, so the JIT compiles the agent's side of a hook once, not into every JDK method and
 * every caller that reaches it (without it, {@code Socket.close} alone compiled to three times its size).
 */
public final class SocketBridge {

    public static final int SOCKET = 0;
    public static final int SSL_SOCKET = 1;
    public static final int SOCKET_CHANNEL = 2;
    public static final int ASYNC_SOCKET_CHANNEL = 3;
    public static final int SERVER_SOCKET = 4;
    public static final int SERVER_SOCKET_CHANNEL = 5;
    public static final int ASYNC_SERVER_SOCKET_CHANNEL = 6;
    /** Netty's own native sockets ({@code io.netty.channel.unix.Socket}), on its epoll transport. */
    public static final int NETTY_EPOLL_SOCKET = 7;
    public static final int NETTY_EPOLL_SERVER_SOCKET = 8;
    /** The same, on its io_uring transport. */
    public static final int NETTY_IO_URING_SOCKET = 9;
    public static final int NETTY_IO_URING_SERVER_SOCKET = 10;

    public static final int CLOSE = 0;
    public static final int SHUTDOWN_OUTPUT = 1;
    public static final int SHUTDOWN_INPUT = 2;
    /** Both directions in one call, as Netty's {@code shutdown()} does. */
    public static final int SHUTDOWN_BOTH = 3;

    public static final int CONNECT = 0;
    public static final int ACCEPT = 1;

    private static volatile SocketEventListener listener;
    private static final AtomicLong failures = new AtomicLong();
    private static final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    private SocketBridge() {
    }

    public static void setListener(SocketEventListener newListener) {
        listener = newListener;
    }

    public static long failures() {
        return failures.get();
    }

    public static Throwable firstFailure() {
        return firstFailure.get();
    }

    @DontInline
    public static Object enter(int api, int op, Object owner, FileDescriptor fd, Object local, Object remote,
                               int remotePort, boolean outputShutdown, boolean otherThreadBusy) {
        SocketEventListener l = listener;
        if (l == null) {
            return null;
        }
        try {
            return l.enter(api, op, owner, fd, local, remote, remotePort, outputShutdown, otherThreadBusy);
        } catch (Throwable t) {
            failed(t);
            return null;
        }
    }

    @DontInline
    public static void opened(int api, int how, Object owner, FileDescriptor fd, Object local, Object remote,
                              int remotePort) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.opened(api, how, owner, fd, local, remote, remotePort);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /**
     * Netty's native socket {@code owner}, whose descriptor is the int {@code fd}, is being closed: its state
     * was just marked closed, by this thread only, and the descriptor is still open. One call is the whole
     * operation.
     */
    @DontInline
    public static void nativeClose(Object owner, int fd, boolean outputShutdown) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            Object token = l.enterNative(CLOSE, owner, fd, outputShutdown);
            if (token != null) {
                l.exit(token);
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** A shutdown of Netty's native socket {@code owner} starts; {@link #exit} ends it. */
    @DontInline
    public static Object enterNative(int op, Object owner, int fd, boolean outputShutdown) {
        SocketEventListener l = listener;
        if (l == null) {
            return null;
        }
        try {
            return l.enterNative(op, owner, fd, outputShutdown);
        } catch (Throwable t) {
            failed(t);
            return null;
        }
    }

    /**
     * Netty's native socket {@code owner} connected ({@link #CONNECT}), or was made around a descriptor
     * ({@link #ACCEPT}: the listener keeps it only if that descriptor is a connection). {@code fd} is -1 where the
     * advice cannot read it (io_uring's channel holds the socket, not the number): the listener asks the socket.
     */
    @DontInline
    public static void nativeOpened(int how, Object owner, int fd) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.nativeOpened(how, owner, fd);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /**
     * Netty was asked to close a channel, with {@code promise}, on this thread: when this is not the channel's
     * event loop, Netty runs the close later as a task there, and it belongs to the code that asked.
     */
    @DontInline
    public static void nettyCloseRequested(Object promise) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.nettyCloseRequested(promise);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** The call that asked Netty to close a channel with {@code promise} returns; the close may still be to come. */
    @DontInline
    public static void nettyCloseRequestReturned(Object promise) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.nettyCloseRequestReturned(promise);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** Netty starts closing the channel whose close was asked for with {@code promise}, on this thread. */
    @DontInline
    public static void nettyCloseRuns(Object promise) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.nettyCloseRuns(promise);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** The close {@link #nettyCloseRuns} started is done. */
    @DontInline
    public static void nettyCloseDone() {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.nettyCloseDone();
        } catch (Throwable t) {
            failed(t);
        }
    }

    @DontInline
    public static void connecting(Object owner) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.connecting(owner);
        } catch (Throwable t) {
            failed(t);
        }
    }

    @DontInline
    public static void beforeRelease(FileDescriptor fd) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.beforeRelease(fd);
        } catch (Throwable t) {
            failed(t);
        }
    }

    @DontInline
    public static void exit(Object token) {
        SocketEventListener l = listener;
        if (l == null || token == null) {
            return;
        }
        try {
            l.exit(token);
        } catch (Throwable t) {
            failed(t);
        }
    }

    @DontInline
    public static Object enterTlsClose(Object tlsSocket) {
        SocketEventListener l = listener;
        if (l == null) {
            return null;
        }
        try {
            return l.enterTlsClose(tlsSocket);
        } catch (Throwable t) {
            failed(t);
            return null;
        }
    }

    @DontInline
    public static void tlsAlert(byte description) {
        SocketEventListener l = listener;
        if (l == null) {
            return;
        }
        try {
            l.tlsAlert(description);
        } catch (Throwable t) {
            failed(t);
        }
    }

    private static void failed(Throwable t) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, t);
    }
}
