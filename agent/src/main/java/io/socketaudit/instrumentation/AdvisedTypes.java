package io.socketaudit.instrumentation;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The classes the agent advises, by name only: reading these lists loads nothing else, so the agent can
 * register its class file transformer before Byte Buddy is loaded.
 */
public final class AdvisedTypes {

    public static final List<String> NAMES = List.of(
            SocketImplAdvice.TYPE,
            SocketChannelAdvice.TYPE,
            AsyncChannelAdvice.SOCKET_TYPE,
            AsyncChannelAdvice.SOCKET_BASE_TYPE,
            AsyncChannelAdvice.SERVER_TYPE,
            ServerChannelAdvice.TYPE,
            TlsAdvice.SOCKET_TYPE,
            TlsAdvice.OUTPUT_RECORD_TYPE);

    /**
     * Netty's native socket classes and where its channels close, by their own names; loaded by the application's class loaders, and also
     * matched where a library relocated them under a prefix of its own ({@link #nettyName}).
     */
    public static final List<String> NETTY_NAMES = List.of(
            NettySocketAdvice.FILE_DESCRIPTOR_TYPE,
            NettySocketAdvice.SOCKET_TYPE,
            NettySocketAdvice.HANDLER_CONTEXT_TYPE,
            NettySocketAdvice.UNSAFE_TYPE,
            NettySocketAdvice.IO_URING_CHANNEL_TYPE,
            NettySocketAdvice.IO_URING_INCUBATOR_CHANNEL_TYPE);

    private static final String NETTY_FILE_DESCRIPTOR = "io/netty/channel/unix/FileDescriptor";
    private static final String NETTY_SOCKET = "io/netty/channel/unix/Socket";
    private static final String NETTY_HANDLER_CONTEXT = "io/netty/channel/AbstractChannelHandlerContext";
    private static final String NETTY_UNSAFE = "io/netty/channel/AbstractChannel$AbstractUnsafe";
    private static final String NETTY_IO_URING_CHANNEL = "io/netty/channel/uring/AbstractIoUringChannel";
    private static final String NETTY_IO_URING_INCUBATOR_CHANNEL =
            "io/netty/incubator/channel/uring/AbstractIOUringChannel";

    private AdvisedTypes() {
    }

    /**
     * Whether a class of an application's class loader, by its internal name, is one of Netty's native socket
     * classes, relocated or not. Every class the application loads passes here: suffix tests, nothing else.
     */
    public static boolean isNetty(String internalName) {
        return internalName.endsWith(NETTY_SOCKET) || internalName.endsWith(NETTY_FILE_DESCRIPTOR)
                || internalName.endsWith(NETTY_HANDLER_CONTEXT) || internalName.endsWith(NETTY_UNSAFE)
                || internalName.endsWith(NETTY_IO_URING_CHANNEL) || internalName.endsWith(NETTY_IO_URING_INCUBATOR_CHANNEL);
    }

    /** Netty's own name of a class {@link #isNetty} matched, in the binary form: without a relocation prefix. */
    static String nettyName(String name) {
        return name.substring(name.lastIndexOf("io.netty."));
    }

    /**
     * The same names in the JVM's internal form ({@code sun/nio/ch/NioSocketImpl}), as transformers see them.
     * A loop, not a stream: this runs before {@code main}, where the first lambda costs milliseconds.
     */
    public static Set<String> internalNames() {
        Set<String> names = new HashSet<>();
        for (String name : NAMES) {
            names.add(name.replace('.', '/'));
        }
        return Set.copyOf(names);
    }
}
