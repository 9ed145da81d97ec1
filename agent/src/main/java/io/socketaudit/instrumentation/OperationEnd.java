package io.socketaudit.instrumentation;

import io.socketaudit.bootstrap.SocketBridge;
import net.bytebuddy.asm.Advice;

/**
 * The exit advice every close and shutdown shares: whatever its enter advice returned ends there, whether
 * the JDK method returned or threw.
 */
final class OperationEnd {

    private OperationEnd() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object token) {
        SocketBridge.exit(token);
    }
}
