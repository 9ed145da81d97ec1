package io.socketaudit.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Copies the bridge package out of the agent jar into a small jar of its own and appends that to the
 * bootstrap class path. Appending the whole agent jar would let the bootstrap loader, which every class
 * loader asks first, take Byte Buddy and the rest of the agent as well.
 */
final class BootstrapJar {

    static final String BRIDGE_PACKAGE = "io/socketaudit/bootstrap/";
    /**
     * The bridge package's class files, by name: looking them up costs less than walking the agent jar's
     * thousands of entries (a test keeps the list equal to the package).
     */
    static final List<String> BRIDGE_CLASSES = List.of(
            "io/socketaudit/bootstrap/SocketBridge.class",
            "io/socketaudit/bootstrap/SocketEventListener.class");
    /**
     * The time stamp of the copied entries. Any fixed local time will do; left to itself, the zip writer
     * asks for the time zone of the current time, and loading the time-zone rules costs the start 15-25 ms.
     */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private BootstrapJar() {
    }

    static void appendBridge(java.lang.instrument.Instrumentation instrumentation) throws IOException {
        if (isBridgeOnBootstrapPath()) {
            return; // attached before: the JDK's classes already use that copy
        }
        File agentJar = AgentJar.file();
        ByteArrayOutputStream bridge = new ByteArrayOutputStream();
        try (JarFile source = new JarFile(agentJar);
             JarOutputStream target = new JarOutputStream(bridge)) {
            for (String path : BRIDGE_CLASSES) {
                JarEntry entry = source.getJarEntry(path);
                if (entry == null) {
                    throw new IOException(agentJar + " holds no " + path);
                }
                JarEntry copy = new JarEntry(path);
                copy.setTimeLocal(ENTRY_TIME);
                target.putNextEntry(copy);
                try (InputStream in = source.getInputStream(entry)) {
                    in.transferTo(target);
                }
                target.closeEntry();
            }
        }
        Path dir = PrivateDirectory.create();
        try {
            Path bridgeJar = PrivateDirectory.writeNew(dir, "socket-audit-bootstrap.jar", bridge.toByteArray());
            instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(bridgeJar.toFile()));
            // Loaded now, while the file is there: afterwards nothing is left on disk to swap or to leave behind.
            for (String path : BRIDGE_CLASSES) {
                loadFromBootstrapPath(path.substring(0, path.length() - ".class".length()).replace('/', '.'));
            }
        } finally {
            PrivateDirectory.remove(dir);
        }
    }

    private static void loadFromBootstrapPath(String className) throws IOException {
        try {
            Class.forName(className, false, null);
        } catch (ClassNotFoundException e) {
            throw new IOException("the bootstrap class loader cannot load " + className, e);
        }
    }

    private static boolean isBridgeOnBootstrapPath() {
        try {
            Class.forName("io.socketaudit.bootstrap.SocketBridge", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
