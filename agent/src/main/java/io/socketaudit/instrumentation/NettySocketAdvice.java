package io.socketaudit.instrumentation;

import io.socketaudit.bootstrap.SocketBridge;
import net.bytebuddy.asm.Advice;

/**
 * Advice for Netty's native sockets ({@code io.netty.channel.unix}, shared by its epoll and io_uring transports,
 * 4.1 and 4.2), also where a library carries a relocated copy (gRPC's {@code io.grpc.netty.shaded.io.netty}):
 * {@code FileDescriptor} and {@code Socket} hold the descriptor as an int, {@code fd}, and their open, shut and
 * closed flags in {@code state} (bit 0 closed, bit 1 input shut down, bit 2 output shut down).
 */
final class NettySocketAdvice {

    static final String FILE_DESCRIPTOR_TYPE = "io.netty.channel.unix.FileDescriptor";
    static final String SOCKET_TYPE = "io.netty.channel.unix.Socket";
    static final String HANDLER_CONTEXT_TYPE = "io.netty.channel.AbstractChannelHandlerContext";
    static final String UNSAFE_TYPE = "io.netty.channel.AbstractChannel$AbstractUnsafe";
    static final String IO_URING_CHANNEL_TYPE = "io.netty.channel.uring.AbstractIoUringChannel";
    /** Netty 4.1's io_uring transport, the incubator's, has the same shape under its own names. */
    static final String IO_URING_INCUBATOR_CHANNEL_TYPE = "io.netty.incubator.channel.uring.AbstractIOUringChannel";

    private static final int CLOSED = 1;
    private static final int INPUT_SHUT_DOWN = 2;
    private static final int OUTPUT_SHUT_DOWN = 4;

    private NettySocketAdvice() {
    }

    /**
     * {@code markClosed()} flips the state to closed and returns true for exactly one caller, before the
     * descriptor is closed: natively by {@code close()} on epoll, through the ring on io_uring, which never calls
     * {@code close()}. The descriptor is still open when it returns.
     */
    static final class MarkClosed {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int enter(@Advice.FieldValue("state") int state) {
            return state;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return boolean marked,
                         @Advice.Enter int stateBefore,
                         @Advice.This Object self,
                         @Advice.FieldValue("fd") int fd) {
            if (marked) {
                SocketBridge.nativeClose(self, fd, (stateBefore & OUTPUT_SHUT_DOWN) != 0);
            }
        }
    }

    /** {@code shutdown(read, write)}: only the directions not shut down yet are an operation. */
    static final class Shutdown {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(0) boolean read,
                            @Advice.Argument(1) boolean write,
                            @Advice.This Object self,
                            @Advice.FieldValue("fd") int fd,
                            @Advice.FieldValue("state") int state) {
            if ((state & CLOSED) != 0) {
                return null; // Netty throws ClosedChannelException
            }
            boolean input = read && (state & INPUT_SHUT_DOWN) == 0;
            boolean output = write && (state & OUTPUT_SHUT_DOWN) == 0;
            if (!input && !output) {
                return null;
            }
            int op = input && output ? SocketBridge.SHUTDOWN_BOTH
                    : output ? SocketBridge.SHUTDOWN_OUTPUT : SocketBridge.SHUTDOWN_INPUT;
            return SocketBridge.enterNative(op, self, fd, (state & OUTPUT_SHUT_DOWN) != 0);
        }
    }

    /** {@code connect} and {@code finishConnect} return true once connected (the recorder ignores repeats). */
    static final class Connected {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return boolean connected,
                         @Advice.This Object self,
                         @Advice.FieldValue("fd") int fd) {
            if (connected) {
                SocketBridge.nativeOpened(SocketBridge.CONNECT, self, fd);
            }
        }
    }

    /**
     * {@code computeRemote()} of Netty 4.2's io_uring channel (and of the 4.1 incubator's), which runs once its
     * connect succeeded: through the
     * ring, which calls neither {@code connect} nor {@code finishConnect} of the socket, or by {@code finishConnect}.
     * The socket's descriptor is not a field of the channel; the listener asks the socket for it.
     */
    static final class RingConnected {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.FieldValue("socket") Object socket) {
            SocketBridge.nativeOpened(SocketBridge.CONNECT, socket, -1);
        }
    }

    /**
     * {@code Socket(int)}: every Netty socket is made around a descriptor, a new one or an accepted one (by
     * {@code accept} on epoll, by the ring on io_uring, which wraps an accepted descriptor twice); the recorder asks
     * the kernel which.
     */
    static final class Created {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self,
                         @Advice.FieldValue("fd") int fd) {
            SocketBridge.nativeOpened(SocketBridge.ACCEPT, self, fd);
        }
    }

    /**
     * {@code close(ChannelPromise)} of a handler context, where {@code channel.close()} and {@code ctx.close()}
     * begin: on a thread that is not the channel's event loop, Netty hands the close to the loop as a task, with
     * the same promise; io_uring may also put it off, on the loop itself, until its reads and writes in the ring
     * complete. When the call returns, a close not made yet is one made later for this request.
     * Transport-independent (NIO too).
     */
    static final class CloseRequested {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object promise) {
            SocketBridge.nettyCloseRequested(promise);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Argument(0) Object promise) {
            SocketBridge.nettyCloseRequestReturned(promise);
        }
    }

    /** {@code doClose0(ChannelPromise)}: the channel's close itself, on the event loop (or Netty's linger executor). */
    static final class Closing {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object promise) {
            SocketBridge.nettyCloseRuns(promise);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit() {
            SocketBridge.nettyCloseDone();
        }
    }
}
