package io.socketaudit.event;

import io.socketaudit.kernel.TcpSnapshot;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * One close or shutdown as captured on the application's thread: only what must be read at that moment
 * (the kernel's view, the thread, an undecoded stack). Everything else is worked out by the log writer.
 */
public final class PendingClose {

    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    final int api;
    final int op;
    final long timeMicros;
    final String threadName;
    final long threadId;
    final boolean virtualThread;
    final boolean threadInterrupted;
    final Throwable stack;

    FileDescriptor fd;
    Object javaLocal;
    Object javaRemote;
    int javaRemotePort;
    boolean outputShutdown;
    boolean otherThreadBusy;
    /** The kernel's view at the start of the operation; {@code null} when it could not be asked. */
    TcpSnapshot entry;
    /** The kernel's view right before the descriptor was released, when the JDK did work in between. */
    TcpSnapshot release;
    /** TLS closes only: whether a close_notify alert was written. */
    Boolean closeNotify;
    long conn;
    /** Who sent the first FIN, as recorded by an earlier shutdown of the same connection. */
    String priorInitiator;

    PendingClose(int api, int op) {
        this.api = api;
        this.op = op;
        Thread thread = Thread.currentThread();
        this.threadName = thread.getName();
        this.threadId = thread.getId();
        this.virtualThread = isVirtual(thread);
        this.threadInterrupted = thread.isInterrupted();
        this.timeMicros = Clock.nowMicros();
        // Frames are decoded later, off this thread.
        this.stack = new Throwable();
    }

    void bind(FileDescriptor fd, Object local, Object remote, int remotePort, boolean outputShutdown,
              TcpSnapshot entry) {
        this.fd = fd;
        this.javaLocal = local;
        this.javaRemote = remote;
        this.javaRemotePort = remotePort;
        this.outputShutdown = outputShutdown;
        this.entry = entry;
    }

    boolean isBound() {
        return fd != null;
    }

    private static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable t) {
            return false;
        }
    }

    private static MethodHandle isVirtualHandle() {
        try {
            // Thread.isVirtual() exists from JDK 21 on; before that no thread is virtual.
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
