package io.socketaudit.instrumentation;

import io.socketaudit.bootstrap.SocketBridge;
import net.bytebuddy.asm.Advice;

import java.io.FileDescriptor;
import java.net.SocketAddress;
import java.nio.channels.spi.AbstractSelectableChannel;

/**
 * Advice for {@code sun.nio.ch.SocketChannelImpl}. {@code implCloseSelectableChannel} is the funnel
 * every close reaches exactly once: {@code close()}, the {@code socket()} adaptor, and the interrupt
 * path, where JDK 17 skips the public {@code close()}. The class also serves UNIX-domain channels,
 * which the listener drops by their address type.
 */
final class SocketChannelAdvice {

    static final String TYPE = "sun.nio.ch.SocketChannelImpl";

    /** SocketChannelImpl's private {@code ST_CONNECTED} (JDK 17 to 25); a constant, so the advice carries its value. */
    static final int ST_CONNECTED = 2;

    private SocketChannelAdvice() {
    }

    static final class Close {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("state") int state,
                            @Advice.FieldValue("localAddress") SocketAddress local,
                            @Advice.FieldValue("remoteAddress") SocketAddress remote,
                            @Advice.FieldValue("isOutputClosed") boolean outputClosed,
                            @Advice.FieldValue("readerThread") long readerThread,
                            @Advice.FieldValue("writerThread") long writerThread) {
            return state == ST_CONNECTED
                    ? SocketBridge.enter(SocketBridge.SOCKET_CHANNEL, SocketBridge.CLOSE, self, fd, local, remote, 0,
                            outputClosed, readerThread != 0 || writerThread != 0)
                    : null;
        }
    }

    /**
     * {@code tryClose()} releases the descriptor when no thread is in I/O and no selector holds the channel
     * (its own test, 17 to 25). A channel registered with a selector is released later, by the selector's thread
     * ({@code kill}) or by the last thread leaving I/O: the listener decides the close's wire there.
     */
    static final class BeforeRelease {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This AbstractSelectableChannel self,
                          @Advice.FieldValue("fd") FileDescriptor fd,
                          @Advice.FieldValue("readerThread") long readerThread,
                          @Advice.FieldValue("writerThread") long writerThread) {
            if (readerThread == 0 && writerThread == 0 && !self.isRegistered()) {
                SocketBridge.beforeRelease(fd);
            }
        }
    }

    static final class ShutdownOutput {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("state") int state,
                            @Advice.FieldValue("localAddress") SocketAddress local,
                            @Advice.FieldValue("remoteAddress") SocketAddress remote,
                            @Advice.FieldValue("isOutputClosed") boolean outputClosed) {
            return state == ST_CONNECTED && !outputClosed
                    ? SocketBridge.enter(SocketBridge.SOCKET_CHANNEL, SocketBridge.SHUTDOWN_OUTPUT, self, fd, local, remote, 0,
                            false, false)
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
                            @Advice.FieldValue("isInputClosed") boolean inputClosed,
                            @Advice.FieldValue("isOutputClosed") boolean outputClosed) {
            return state == ST_CONNECTED && !inputClosed
                    ? SocketBridge.enter(SocketBridge.SOCKET_CHANNEL, SocketBridge.SHUTDOWN_INPUT, self, fd, local, remote, 0,
                            outputClosed, false)
                    : null;
        }
    }

    /** {@code connect} and {@code finishConnect} return true once connected (the recorder ignores repeats). */
    static final class Connected {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return boolean connected,
                         @Advice.This Object self,
                         @Advice.FieldValue("fd") FileDescriptor fd,
                         @Advice.FieldValue("localAddress") SocketAddress local,
                         @Advice.FieldValue("remoteAddress") SocketAddress remote) {
            if (connected) {
                SocketBridge.opened(SocketBridge.SOCKET_CHANNEL, SocketBridge.CONNECT, self, fd, local, remote, 0);
            }
        }
    }

    /** {@code blockingConnect}, used by the {@code socket()} adaptor, does not go through {@code connect}. */
    static final class BlockingConnect {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self,
                         @Advice.FieldValue("fd") FileDescriptor fd,
                         @Advice.FieldValue("state") int state,
                         @Advice.FieldValue("localAddress") SocketAddress local,
                         @Advice.FieldValue("remoteAddress") SocketAddress remote) {
            if (state == ST_CONNECTED) {
                SocketBridge.opened(SocketBridge.SOCKET_CHANNEL, SocketBridge.CONNECT, self, fd, local, remote, 0);
            }
        }
    }

    /** The constructor that takes a descriptor is the one the listener uses for an accepted channel. */
    static final class Accepted {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self,
                         @Advice.FieldValue("fd") FileDescriptor fd,
                         @Advice.FieldValue("localAddress") SocketAddress local,
                         @Advice.FieldValue("remoteAddress") SocketAddress remote) {
            SocketBridge.opened(SocketBridge.SOCKET_CHANNEL, SocketBridge.ACCEPT, self, fd, local, remote, 0);
        }
    }
}
