package io.socketaudit.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Defines the bridge's classes in the bootstrap class loader, where the JDK's own classes can see them, straight
 * from the agent jar's bytes. Not by appending a jar to the bootstrap class path: that turns class data sharing
 * off for every class outside the bootstrap loader (the JVM says so on stderr when it logs), costs the start a
 * jar written to disk, and leaves a file another user could try to swap. Not the whole agent either: the
 * bootstrap loader, which every class loader asks first, would then take Byte Buddy and the rest of the agent.
 */
final class BootstrapClasses {

    static final String BRIDGE_PACKAGE = "io/socketaudit/bootstrap/";
    /**
     * The bridge package's class files, by name, each defined before any class that uses it (a test keeps the list
     * equal to the package).
     */
    static final List<String> BRIDGE_CLASSES = List.of(
            "io/socketaudit/bootstrap/SocketEventListener.class",
            "io/socketaudit/bootstrap/SocketBridge.class");
    private static final String DEFINER = "io.socketaudit.agent.definer.BootstrapDefiner";
    private static final String DEFINER_CLASS_FILE = "io/socketaudit/agent/definer/BootstrapDefiner.class";

    private BootstrapClasses() {
    }

    static void defineBridge(Instrumentation instrumentation) throws IOException {
        if (isBridgeDefined()) {
            return; // attached before: the JDK's classes already use those
        }
        List<String> entries = new ArrayList<>(BRIDGE_CLASSES);
        entries.add(DEFINER_CLASS_FILE);
        Map<String, byte[]> classFiles = AgentJar.read(entries);
        Method define = definer(instrumentation, classFiles.get(DEFINER_CLASS_FILE));
        for (String path : BRIDGE_CLASSES) {
            String name = path.substring(0, path.length() - ".class".length()).replace('/', '.');
            try {
                define.invoke(null, name, classFiles.get(path));
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IOException("cannot define " + name + " in the bootstrap class loader",
                        e instanceof InvocationTargetException ? e.getCause() : e);
            }
        }
    }

    /**
     * {@code BootstrapDefiner.define}, in a class loader of its own whose module alone gets the JDK's
     * {@code jdk.internal.misc}: exported to the agent's module, it would be exported to the application's class
     * path as well, and libraries that look for the JDK's internals would find them open.
     */
    private static Method definer(Instrumentation instrumentation, byte[] classFile) throws IOException {
        Class<?> definer = new DefinerLoader().define(DEFINER, classFile);
        Module javaBase = Object.class.getModule();
        instrumentation.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(definer.getModule())),
                Map.of(), Set.of(), Map.of());
        try {
            return definer.getMethod("define", String.class, byte[].class);
        } catch (NoSuchMethodException e) {
            throw new IOException(DEFINER + " has no define(String, byte[])", e);
        }
    }

    private static boolean isBridgeDefined() {
        try {
            Class.forName("io.socketaudit.bootstrap.SocketBridge", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Holds the definer only; its parent is the bootstrap loader, so it sees the JDK and nothing of the agent. */
    private static final class DefinerLoader extends ClassLoader {
        DefinerLoader() {
            super(null);
        }

        Class<?> define(String name, byte[] classFile) {
            return defineClass(name, classFile, 0, classFile.length);
        }
    }
}
