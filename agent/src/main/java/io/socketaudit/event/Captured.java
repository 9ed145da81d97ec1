package io.socketaudit.event;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * What every event captures on the application's thread at the moment it happens: the time, the thread and
 * an undecoded stack. Frames are decoded later, by the log writer.
 */
public abstract class Captured {

    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    final int api;
    final long timeMicros;
    final String threadName;
    final long threadId;
    final boolean virtualThread;
    final boolean threadInterrupted;
    final Throwable stack;

    Captured(int api) {
        this.api = api;
        Thread thread = Thread.currentThread();
        this.threadName = thread.getName();
        this.threadId = thread.getId();
        this.virtualThread = isVirtual(thread);
        this.threadInterrupted = thread.isInterrupted();
        this.timeMicros = Clock.nowMicros();
        this.stack = new Throwable();
    }

    /** The same moment, thread and stack as {@code origin}: an event that belongs to code that ran earlier. */
    Captured(int api, Captured origin) {
        this.api = api;
        this.threadName = origin.threadName;
        this.threadId = origin.threadId;
        this.virtualThread = origin.virtualThread;
        this.threadInterrupted = origin.threadInterrupted;
        this.timeMicros = origin.timeMicros;
        this.stack = origin.stack;
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
