package io.socketaudit.instrumentation;

import io.socketaudit.bootstrap.SocketBridge;
import net.bytebuddy.asm.Advice;

/**
 * Advice for the JDK's TLS socket. One {@code SSLSocket.close()} is a close_notify, two shutdowns
 * and a close of the socket underneath; the bridge folds them into one event. The alert advice
 * tells whether the close_notify (alert description 0) was handed to the socket.
 */
final class TlsAdvice {

    static final String SOCKET_TYPE = "sun.security.ssl.SSLSocketImpl";
    static final String OUTPUT_RECORD_TYPE = "sun.security.ssl.SSLSocketOutputRecord";

    private TlsAdvice() {
    }

    static final class Close {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object self) {
            return SocketBridge.enterTlsClose(self);
        }
    }

    static final class AlertWritten {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(1) byte description) {
            SocketBridge.tlsAlert(description);
        }
    }
}
