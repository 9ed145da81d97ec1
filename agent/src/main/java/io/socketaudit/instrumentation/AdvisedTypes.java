package io.socketaudit.instrumentation;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
