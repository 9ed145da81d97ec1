package io.socketaudit.instrumentation;

import java.util.List;

/**
 * The JDK classes the agent advises, by name only: reading this list loads nothing else, so the agent can
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

    private AdvisedTypes() {
    }

    /** The same names in the JVM's internal form ({@code sun/nio/ch/NioSocketImpl}), as transformers see them. */
    public static java.util.Set<String> internalNames() {
        return NAMES.stream().map(n -> n.replace('.', '/')).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
}
