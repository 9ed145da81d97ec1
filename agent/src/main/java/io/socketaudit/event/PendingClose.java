package io.socketaudit.event;

import io.socketaudit.kernel.TcpSnapshot;

import java.io.FileDescriptor;

/**
 * One close or shutdown as captured on the application's thread: only what must be read at that moment
 * (the kernel's view, the thread, an undecoded stack). Everything else is worked out by the log writer.
 */
public final class PendingClose extends Captured {

    final int op;
    Object owner;
    FileDescriptor fd;
    /** The descriptor's number where the socket has no {@code FileDescriptor} (Netty's native sockets); else -1. */
    int nativeFd = -1;
    Object javaLocal;
    Object javaRemote;
    int javaRemotePort;
    boolean outputShutdown;
    boolean otherThreadBusy;
    /** The kernel's view at the start of the operation; {@code null} when it could not be asked. */
    TcpSnapshot entry;
    /** The kernel's view right before the descriptor was released, when the JDK did work in between. */
    TcpSnapshot release;
    /** The descriptor was released on the closing thread, within the close. */
    boolean released;
    /** TLS closes only: whether a close_notify alert was written. */
    Boolean closeNotify;
    /** The connection this operation belongs to; set when the operation ends. */
    OpenConnections.Connection connection;
    /** Who sent the first FIN, as recorded by an earlier shutdown of the same connection. */
    String priorInitiator;
    /** An earlier event of the same connection found it reset by the peer. */
    boolean priorPeerReset;

    /** A close asked for on another thread than the one that makes it, or made later: who asked, and where. */
    static final class Request extends Captured {
        /** The call that asked has returned: a close made after it was put off, on whichever thread. */
        volatile boolean returned;

        Request(int api) {
            super(api);
        }
    }

    PendingClose(int api, int op) {
        super(api);
        this.op = op;
    }

    /** A close made on another thread than the one that asked for it: the asker's thread and stack. */
    PendingClose(int api, int op, Request request) {
        super(api, request);
        this.op = op;
    }

    void bind(Object owner, FileDescriptor fd, Object local, Object remote, int remotePort, boolean outputShutdown,
              TcpSnapshot entry) {
        this.owner = owner;
        this.fd = fd;
        this.javaLocal = local;
        this.javaRemote = remote;
        this.javaRemotePort = remotePort;
        this.outputShutdown = outputShutdown;
        this.entry = entry;
    }

    /** Whether the kernel said, at the start, that the peer had reset the connection (CLOSE without our FIN). */
    boolean foundPeerReset() {
        return priorPeerReset || (entry != null && entry.state() == io.socketaudit.kernel.TcpState.CLOSE
                && !outputShutdown && priorInitiator == null);
    }

    /** Netty's native sockets: the same, with the descriptor known by its number. */
    void bindNative(Object owner, int fd, boolean outputShutdown, TcpSnapshot entry) {
        this.owner = owner;
        this.nativeFd = fd;
        this.outputShutdown = outputShutdown;
        this.entry = entry;
    }

    boolean isBound() {
        return fd != null || nativeFd >= 0;
    }
}
