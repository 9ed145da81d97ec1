package io.socketaudit.instrumentation;

import io.socketaudit.bootstrap.SocketBridge;
import net.bytebuddy.asm.Advice;

import java.io.FileDescriptor;
import java.net.SocketAddress;

/** Advice for {@code sun.nio.ch.ServerSocketChannelImpl}: a listener closing, once, through its funnel. */
final class ServerChannelAdvice {

    static final String TYPE = "sun.nio.ch.ServerSocketChannelImpl";

    private ServerChannelAdvice() {
    }

    static final class Close {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self,
                            @Advice.FieldValue("fd") FileDescriptor fd,
                            @Advice.FieldValue("localAddress") SocketAddress local) {
            // An unbound channel has no address and was never a listener.
            return local != null
                    ? SocketBridge.enter(SocketBridge.SERVER_SOCKET_CHANNEL, SocketBridge.CLOSE, self, fd, local, null, 0,
                            false, false)
                    : null;
        }
    }
}
