package io.socketaudit.instrumentation;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Registered synchronously at start, before the agent's heavy parts (Byte Buddy, Jackson) are loaded on a
 * background thread, so that they do not delay the application's {@code main}. Every class but the few JDK
 * socket classes passes straight through; one of those that loads before the agent is ready waits for it, so
 * that no close goes unaudited, and then gets its advice from the real transformer.
 */
public final class DeferredTransformer implements ClassFileTransformer {

    private final Set<String> internalNames;
    private final long maxWaitMillis;
    private final CountDownLatch settled = new CountDownLatch(1);
    private volatile ClassFileTransformer delegate;
    private volatile boolean waitedTooLong;
    private volatile Thread preparing;

    /**
     * @param internalNames the classes to advise, as {@code sun/nio/ch/NioSocketImpl}
     * @param maxWaitMillis how long a loading class may wait for the agent; past it the class loads unadvised
     *                      and is advised by retransformation once the agent is ready
     */
    public DeferredTransformer(Set<String> internalNames, long maxWaitMillis) {
        this.internalNames = internalNames;
        this.maxWaitMillis = maxWaitMillis;
    }

    /**
     * The thread that gets the agent ready never waits for itself: a socket class it happens to load
     * (JDK 25's file streams load SocketChannelImpl) loads unadvised and is advised by retransformation.
     */
    public void preparedBy(Thread thread) {
        preparing = thread;
    }

    /** The agent is ready: from now on target classes get {@code transformer}'s advice. */
    public void open(ClassFileTransformer transformer) {
        delegate = transformer;
        settled.countDown();
    }

    /** The agent could not get ready: let every waiting class load as it is. */
    public void abandon() {
        settled.countDown();
    }

    /** Whether a socket class had to load unadvised because the agent took too long to get ready. */
    public boolean waitedTooLong() {
        return waitedTooLong;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classFile) throws IllegalClassFormatException {
        if (className == null || !internalNames.contains(className)) {
            return null;
        }
        if (delegate == null && Thread.currentThread() == preparing) {
            return null;
        }
        try {
            if (!settled.await(maxWaitMillis, TimeUnit.MILLISECONDS)) {
                waitedTooLong = true;
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        ClassFileTransformer transformer = delegate;
        return transformer == null ? null
                : transformer.transform(module, loader, className, redefined, domain, classFile);
    }
}
