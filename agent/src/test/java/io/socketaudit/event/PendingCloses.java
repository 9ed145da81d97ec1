package io.socketaudit.event;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.kernel.TcpSnapshot;
import io.socketaudit.kernel.TcpState;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Captured closes for tests outside this package. */
public final class PendingCloses {

    private static final OpenConnections CONNECTIONS = new OpenConnections();

    private PendingCloses() {
    }

    /** A graceful Socket close, captured on the calling thread. */
    public static PendingClose gracefulSocketClose() {
        PendingClose p = new PendingClose(SocketBridge.SOCKET, SocketBridge.CLOSE);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        p.bind(new Object(), new FileDescriptor(), null, null, 0, false, new TcpSnapshot(TcpState.ESTABLISHED, 0, 0,
                false, 0, 0, 0, 0, 0, TcpSnapshot.encode(new InetSocketAddress(loopback, 5000), new InetSocketAddress(loopback, 6000))));
        p.connection = CONNECTIONS.onClose(new Object(), SocketBridge.SOCKET, null, null, 0);
        return p;
    }
}
