package io.socketaudit.instrumentation;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The open, close and shutdown advice for the JDK's socket classes and Netty's native sockets, as a class file transformer that adds
 * advice only (no class changes shape), so it can also be applied to classes already loaded. Every class
 * but the few socket classes of {@code java.base} passes on a name check; nothing of Byte Buddy is loaded
 * until one of those arrives, and then only what advising that one class needs ({@link AdviceWeaver}).
 */
public final class SocketInstrumentation implements ClassFileTransformer {

    private final Set<String> internalNames = AdvisedTypes.internalNames();
    private final Set<String> transformed;
    private final BiConsumer<String, Throwable> onError;
    /** Guarded by this: whether this transformer is already advising a class (on the thread holding the lock). */
    private boolean weaving;

    private SocketInstrumentation(Set<String> transformed, BiConsumer<String, Throwable> onError) {
        this.transformed = transformed;
        this.onError = onError;
    }

    /**
     * Builds the transformer, not yet registered; building it loads nothing. {@code transformed} (safe for
     * concurrent use) collects the name of every advised class; {@code onError} hears of every class that could
     * not be advised, so that a JDK whose internals moved is reported in the log rather than silently unaudited.
     */
    public static ClassFileTransformer transformer(Set<String> transformed, BiConsumer<String, Throwable> onError) {
        return new SocketInstrumentation(transformed, onError);
    }

    /**
     * Starts Byte Buddy's cold start (about 565 classes to load and run once) on a daemon thread, so that it
     * overlaps the application's own start instead of stalling the thread that loads the first socket class,
     * typically a server binding its port. That thread weaves with whatever is ready and waits only for parts
     * under way. A JVM that exits first just drops the thread; one that never opens a socket pays it once.
     */
    public static void prepareInBackground() {
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    AdviceWeaver.prepare();
                } catch (Throwable t) {
                    // Whatever failed fails again in the real weave, which reports it.
                }
            }
        }, "socket-audit-prepare");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The JDK's socket classes of the boot loader, whose advice is written against the JDK's own, and Netty's
     * native socket classes of any other loader, relocated or not. One class at a time: they are few, and a lock
     * keeps Byte Buddy's first use (class loading and initialisation) on one thread, which is where its cost is.
     */
    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classFile) {
        if (className == null || (loader == null ? !internalNames.contains(className) : !AdvisedTypes.isNetty(className))) {
            return null;
        }
        String name = className.replace('/', '.');
        synchronized (this) {
            if (weaving) {
                // Only the weaving itself can load a socket class on the thread that is weaving: advising it
                // now would recurse into the class being loaded.
                onError.accept(name, new IllegalStateException("loaded while another socket class was being "
                        + "advised; it stays unadvised"));
                return null;
            }
            weaving = true;
            try {
                byte[] woven = AdviceWeaver.weave(name, classFile, loader, onError);
                transformed.add(name);
                return woven;
            } catch (Throwable t) {
                onError.accept(name, t);
                return null;
            } finally {
                weaving = false;
            }
        }
    }
}
