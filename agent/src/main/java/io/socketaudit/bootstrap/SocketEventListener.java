package io.socketaudit.bootstrap;

import java.io.FileDescriptor;

/**
 * What the agent does when instrumented code opens, closes or shuts down a socket. Implemented on the
 * agent's side of the hand-off; {@link SocketBridge} is the only caller.
 */
public interface SocketEventListener {

    /**
     * Called at the entry of a close or shutdown funnel, before the JDK touches the socket.
     *
     * @param api             one of the {@code SocketBridge} API constants
     * @param op              one of the {@code SocketBridge} operation constants
     * @param owner           the JDK object that owns the descriptor (the same on every event of the connection)
     * @param fd              the socket's descriptor object, still open
     * @param local           the local address the JDK holds ({@code SocketAddress}), or {@code null}
     * @param remote          the remote address the JDK holds, an {@code InetAddress} (then {@code remotePort}
     *                        applies) or a {@code SocketAddress}, or {@code null}
     * @param outputShutdown  whether the JDK had already shut the output down, when it keeps track
     * @param otherThreadBusy whether another thread was blocked in I/O on this socket
     * @return a token handed back to {@link #exit}, or {@code null} when nothing is to be recorded
     */
    Object enter(int api, int op, Object owner, FileDescriptor fd, Object local, Object remote, int remotePort,
                 boolean outputShutdown, boolean otherThreadBusy);

    /**
     * Called when a connection has been established.
     *
     * @param how   {@code SocketBridge.CONNECT} or {@code SocketBridge.ACCEPT}
     * @param owner the JDK object that owns the descriptor and will be closed
     * @param fd    its descriptor object, or {@code null} when the owner is a {@code java.net.SocketImpl}
     *              (the listener reads it itself)
     */
    void opened(int api, int how, Object owner, FileDescriptor fd, Object local, Object remote, int remotePort);

    /**
     * Called when the application asks an asynchronous channel to connect; the connect may complete on
     * another thread, and its {@link #opened} then belongs to the code that asked.
     */
    void connecting(Object owner);

    /** Called right before the JDK releases the descriptor of a socket being closed on this thread. */
    void beforeRelease(FileDescriptor fd);

    /** Called when the operation started by {@link #enter} returns or throws. */
    void exit(Object token);

    /** Called at the entry of a TLS socket's close; the closes it makes underneath belong to it. */
    Object enterTlsClose(Object tlsSocket);

    /** Called when a TLS record layer writes an alert on this thread. */
    void tlsAlert(byte description);

    /**
     * Called when Netty's native socket {@code owner}, a descriptor {@code fd} of Netty's own (no
     * {@code java.io.FileDescriptor}), starts a close or shutdown; for a close, the descriptor is still open.
     *
     * @param op             one of the {@code SocketBridge} operation constants
     * @param outputShutdown whether Netty had already shut the output down
     * @return a token handed back to {@link #exit}, or {@code null} when nothing is to be recorded
     */
    Object enterNative(int op, Object owner, int fd, boolean outputShutdown);

    /**
     * Called when Netty's native socket {@code owner} connected ({@code SocketBridge.CONNECT}), or was made around
     * the descriptor {@code fd} ({@code SocketBridge.ACCEPT}, a connection only if the kernel says so); {@code fd}
     * is -1 where the advice cannot read it, and the listener asks {@code owner}.
     */
    void nativeOpened(int how, Object owner, int fd);

    /** Called when Netty is asked to close a channel with {@code promise}, on the asking thread. */
    void nettyCloseRequested(Object promise);

    /**
     * Called when the call that asked Netty to close a channel with {@code promise} returns, on the asking thread: a
     * close of that channel that runs after this, on this thread too, was put off and belongs to that request.
     */
    default void nettyCloseRequestReturned(Object promise) {
    }

    /**
     * Called when Netty starts closing a channel, with {@code promise} (a promise for the same channel, not always
     * the one asked with); the closes underneath belong to the close asked for.
     */
    void nettyCloseRuns(Object promise);

    /** Called when the close {@link #nettyCloseRuns} started returns or throws. */
    void nettyCloseDone();
}
