package io.socketaudit.instrumentation;

import io.socketaudit.bootstrap.SocketBridge;
import net.bytebuddy.asm.Advice;

import java.io.FileDescriptor;
import java.net.InetAddress;

/**
 * Advice for {@code sun.nio.ch.NioSocketImpl}, the implementation under every {@code Socket},
 * {@code SSLSocket} and {@code ServerSocket} of JDK 13 and later. Its {@code close()} returns at once
 * on a closed socket and its shutdowns on a shut-down side, so the state checks here give exactly
 * one event per operation.
 */
final class SocketImplAdvice {

    static final String TYPE = "sun.nio.ch.NioSocketImpl";

    /**
     * NioSocketImpl's private {@code ST_UNCONNECTED} and {@code ST_CONNECTED} (JDK 17 to 25). Compile-time
     * constants: the woven advice carries their values, not a reference to this class.
     */
    static final int ST_UNCONNECTED = 1;
    static final int ST_CONNECTED = 3;

    private SocketImplAdvice() {
    }

    static final class Close {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("state") int state,
                            @Advice.FieldValue("server") boolean server,
                            @Advice.FieldValue("address") InetAddress address,
                            @Advice.FieldValue("port") int port,
                            @Advice.FieldValue("isOutputClosed") boolean outputClosed,
                            @Advice.FieldValue("readerThread") long readerThread,
                            @Advice.FieldValue("writerThread") long writerThread) {
            if (server) {
                // ST_UNCONNECTED: created and possibly listening; ST_NEW is a never-opened impl.
                return state == ST_UNCONNECTED
                        ? SocketBridge.enter(SocketBridge.SERVER_SOCKET, SocketBridge.CLOSE, self, fd, null, null, 0, false, false)
                        : null;
            }
            // ST_CONNECTED only: unconnected, failed or already closing sockets are no connection to report.
            return state == ST_CONNECTED
                    ? SocketBridge.enter(SocketBridge.SOCKET, SocketBridge.CLOSE, self, fd, null, address, port,
                            outputClosed, readerThread != 0 || writerThread != 0)
                    : null;
        }
    }

    /** {@code tryClose()} runs after the JDK's own shutdown, right before the descriptor is released. */
    static final class BeforeRelease {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("fd") FileDescriptor fd) {
            SocketBridge.beforeRelease(fd);
        }
    }

    static final class ShutdownOutput {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("state") int state,
                            @Advice.FieldValue("address") InetAddress address,
                            @Advice.FieldValue("port") int port,
                            @Advice.FieldValue("isOutputClosed") boolean outputClosed) {
            return state == ST_CONNECTED && !outputClosed
                    ? SocketBridge.enter(SocketBridge.SOCKET, SocketBridge.SHUTDOWN_OUTPUT, self, fd, null, address, port, false, false)
                    : null;
        }
    }

    static final class ShutdownInput {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("state") int state,
                            @Advice.FieldValue("address") InetAddress address,
                            @Advice.FieldValue("port") int port,
                            @Advice.FieldValue("isInputClosed") boolean inputClosed,
                            @Advice.FieldValue("isOutputClosed") boolean outputClosed) {
            return state == ST_CONNECTED && !inputClosed
                    ? SocketBridge.enter(SocketBridge.SOCKET, SocketBridge.SHUTDOWN_INPUT, self, fd, null, address, port,
                            outputClosed, false)
                    : null;
        }
    }

    /** Every connect overload ends in {@code connect(SocketAddress, int)}. */
    static final class Connect {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self,
                         @Advice.FieldValue("fd") FileDescriptor fd,
                         @Advice.FieldValue("state") int state,
                         @Advice.FieldValue("address") InetAddress address,
                         @Advice.FieldValue("port") int port) {
            if (state == ST_CONNECTED) {
                SocketBridge.opened(SocketBridge.SOCKET, SocketBridge.CONNECT, self, fd, null, address, port);
            }
        }
    }

    /** The listener's {@code accept(SocketImpl)} fills in the accepted socket's implementation. */
    static final class Accept {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object accepted) {
            SocketBridge.opened(SocketBridge.SOCKET, SocketBridge.ACCEPT, accepted, null, null, null, 0);
        }
    }
}
