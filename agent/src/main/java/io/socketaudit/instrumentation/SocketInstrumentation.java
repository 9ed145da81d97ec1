package io.socketaudit.instrumentation;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The open, close and shutdown advice for the JDK's socket classes and Netty's native sockets, as a class file transformer that adds
 * advice only (no class changes shape), so it can also be applied to classes already loaded. Every class
 * but the few socket classes of {@code java.base} passes on a name check. A JDK class woven by an earlier run
 * of the same JDK and agent is taken as it was woven then; nothing of Byte Buddy is loaded until a class
 * arrives that must be woven now, and then only what advising that one class needs ({@link AdviceWeaver}).
 */
public final class SocketInstrumentation implements ClassFileTransformer {

    /** What every Netty class's internal name contains, relocated or not: Netty's arrival, long before its sockets. */
    private static final String NETTY_PACKAGE = "io/netty/";

    private final Set<String> internalNames = AdvisedTypes.internalNames();
    private final Set<String> transformed;
    private final Map<String, WovenClass> wovenEarlier;
    private final BiConsumer<String, Throwable> onError;
    /** Guarded by this: whether this transformer is already advising a class (on the thread holding the lock). */
    private boolean weaving;
    /** Whether Byte Buddy is being got ready in the background, or was: once per JVM. */
    private final AtomicBoolean preparing = new AtomicBoolean();
    /** The thread that prepares Byte Buddy and then weaves the JDK's classes for later runs, if there is one. */
    private volatile Thread keeping;
    /** Whether Byte Buddy has woven a class or is prepared: what is left of keeping the JDK's classes is short. */
    private volatile boolean byteBuddyReady;

    private SocketInstrumentation(Set<String> transformed, Map<String, WovenClass> wovenEarlier,
                                  BiConsumer<String, Throwable> onError) {
        this.transformed = transformed;
        this.wovenEarlier = wovenEarlier;
        this.onError = onError;
    }

    /**
     * Builds the transformer, not yet registered; building it loads nothing. {@code transformed} (safe for
     * concurrent use) collects the name of every advised class; {@code wovenEarlier} holds JDK classes woven by an
     * earlier run, by name; {@code onError} hears of every class that could not be advised, so that a JDK whose
     * internals moved is reported in the log rather than silently unaudited.
     */
    public static SocketInstrumentation transformer(Set<String> transformed, Map<String, WovenClass> wovenEarlier,
                                                    BiConsumer<String, Throwable> onError) {
        return new SocketInstrumentation(transformed, wovenEarlier, onError);
    }

    /**
     * Every JDK class the agent advises, woven now as this JVM's {@code java.base} has it: what a later start takes
     * from the woven class cache. Loads and runs Byte Buddy on the calling thread.
     */
    public static List<WovenClass> wovenJdkClasses() throws java.io.IOException {
        return AdviceWeaver.weaveJdkClasses();
    }

    /** Whether {@code wovenEarlier} holds every JDK class there is to advise, so that none of them needs Byte Buddy. */
    public static boolean coversJdk(Map<String, WovenClass> wovenEarlier) {
        return wovenEarlier.keySet().containsAll(AdvisedTypes.NAMES);
    }

    /**
     * Starts Byte Buddy's cold start (about 565 classes to load and run once) on a daemon thread, so that it
     * overlaps the application's own start instead of stalling the thread that loads the first class to weave,
     * typically a server binding its port. That thread weaves with whatever is ready and waits only for parts
     * under way. With {@code keep}, the thread then weaves every JDK class as {@code java.base} has it and hands
     * them to {@code keep}, for later runs. A JVM that exits first just drops the thread.
     */
    public void prepareInBackground(Consumer<List<WovenClass>> keep) {
        if (preparing.getAndSet(true)) {
            return;
        }
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    AdviceWeaver.prepare();
                    byteBuddyReady = true;
                    if (keep != null) {
                        keep.accept(AdviceWeaver.weaveJdkClasses());
                    }
                } catch (Throwable t) {
                    // Whatever failed fails again in the real weave, which reports it.
                }
            }
        }, "socket-audit-prepare");
        thread.setDaemon(true);
        if (keep != null) {
            keeping = thread;
        }
        thread.start();
    }

    /**
     * At exit: lets the weaving for later runs finish when Byte Buddy is ready already, having woven a class or
     * been prepared (what is left takes a fraction of a second, and a short-lived JVM would otherwise never leave
     * its classes for the next), waiting at most {@code millis}. Byte Buddy's cold start alone is not waited for.
     */
    public void finishKeeping(long millis) throws InterruptedException {
        Thread thread = keeping;
        if (thread != null && byteBuddyReady) {
            thread.join(millis);
        }
    }

    /**
     * The JDK's socket classes of the boot loader, whose advice is written against the JDK's own, and Netty's
     * native socket classes of any other loader, relocated or not. One class at a time: they are few, and a lock
     * keeps Byte Buddy's first use (class loading and initialisation) on one thread, which is where its cost is.
     */
    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classFile) {
        if (className == null) {
            return null;
        }
        if (loader == null) {
            if (!internalNames.contains(className)) {
                return null;
            }
        } else if (!AdvisedTypes.isNetty(className)) {
            if (!preparing.get() && className.contains(NETTY_PACKAGE)) {
                prepareInBackground(null); // Netty's sockets will be woven, and only Byte Buddy weaves them
            }
            return null;
        }
        String name = className.replace('/', '.');
        if (loader == null) {
            WovenClass earlier = wovenEarlier.get(name);
            byte[] woven = earlier == null ? null : earlier.wovenFrom(classFile);
            if (woven != null) {
                transformed.add(name);
                return woven;
            }
        }
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
                byteBuddyReady = true;
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
