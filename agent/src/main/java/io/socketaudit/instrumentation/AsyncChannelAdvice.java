package io.socketaudit.instrumentation;

import io.socketaudit.bootstrap.SocketBridge;
import net.bytebuddy.asm.Advice;

import java.io.FileDescriptor;
import java.net.SocketAddress;

/**
 * Advice for the asynchronous channels. The close funnel is {@code implClose()} of the Unix
 * implementations, which {@code close()} calls once; the shutdowns live in the abstract base class,
 * which keeps its own flags.
 */
final class AsyncChannelAdvice {

    static final String SOCKET_TYPE = "sun.nio.ch.UnixAsynchronousSocketChannelImpl";
    static final String SOCKET_BASE_TYPE = "sun.nio.ch.AsynchronousSocketChannelImpl";
    static final String SERVER_TYPE = "sun.nio.ch.UnixAsynchronousServerSocketChannelImpl";

    /**
     * AsynchronousSocketChannelImpl's private {@code ST_CONNECTED} (JDK 17 to 25); a constant, so the advice
     * carries its value.
     */
    static final int ST_CONNECTED = 2;

    private AsyncChannelAdvice() {
    }

    static final class Close {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("state") int state,
                            @Advice.FieldValue("localAddress") SocketAddress local,
                            @Advice.FieldValue("remoteAddress") SocketAddress remote) {
            return state == ST_CONNECTED
                    ? SocketBridge.enter(SocketBridge.ASYNC_SOCKET_CHANNEL, SocketBridge.CLOSE, self, fd, local, remote, 0,
                            false, false)
                    : null;
        }
    }

    static final class ShutdownOutput {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("state") int state,
                            @Advice.FieldValue("localAddress") SocketAddress local,
                            @Advice.FieldValue("remoteAddress") SocketAddress remote,
                            @Advice.FieldValue("writeShutdown") boolean writeShutdown) {
            return state == ST_CONNECTED && !writeShutdown
                    ? SocketBridge.enter(SocketBridge.ASYNC_SOCKET_CHANNEL, SocketBridge.SHUTDOWN_OUTPUT, self, fd, local, remote,
                            0, false, false)
                    : null;
        }
    }

    static final class ShutdownInput {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("state") int state,
                            @Advice.FieldValue("localAddress") SocketAddress local,
                            @Advice.FieldValue("remoteAddress") SocketAddress remote,
                            @Advice.FieldValue("readShutdown") boolean readShutdown,
                            @Advice.FieldValue("writeShutdown") boolean writeShutdown) {
            return state == ST_CONNECTED && !readShutdown
                    ? SocketBridge.enter(SocketBridge.ASYNC_SOCKET_CHANNEL, SocketBridge.SHUTDOWN_INPUT, self, fd, local, remote,
                            0, writeShutdown, false)
                    : null;
        }
    }

    static final class ServerClose {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("localAddress") SocketAddress local) {
            return local != null
                    ? SocketBridge.enter(SocketBridge.ASYNC_SERVER_SOCKET_CHANNEL, SocketBridge.CLOSE, self, fd, local, null, 0,
                            false, false)
                    : null;
        }
    }

    /** The application's request: the connect may complete later, on a thread of the channel group. */
    static final class ConnectRequested {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object self) {
            SocketBridge.connecting(self);
        }
    }

    /** Runs on whichever thread completes the connect. */
    static final class Connected {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self,
                         @Advice.FieldValue("fd") FileDescriptor fd,
                         @Advice.FieldValue("localAddress") SocketAddress local,
                         @Advice.FieldValue("remoteAddress") SocketAddress remote) {
            SocketBridge.opened(SocketBridge.ASYNC_SOCKET_CHANNEL, SocketBridge.CONNECT, self, fd, local, remote, 0);
        }
    }

    /** The constructor that takes a descriptor is the one the listener uses for an accepted channel. */
    static final class Accepted {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self,
                         @Advice.FieldValue("fd") FileDescriptor fd,
                         @Advice.FieldValue("localAddress") SocketAddress local,
                         @Advice.FieldValue("remoteAddress") SocketAddress remote) {
            SocketBridge.opened(SocketBridge.ASYNC_SOCKET_CHANNEL, SocketBridge.ACCEPT, self, fd, local, remote, 0);
        }
    }
}
