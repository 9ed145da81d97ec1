package io.socketaudit.agent;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
            "io/socketaudit/bootstrap/CloseBridge.class",
            "io/socketaudit/bootstrap/CloseListener.class");
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
        Path dir = privateDirectory();
        Path bridgeJar = dir.resolve("socket-audit-bootstrap.jar");
        try (JarFile source = new JarFile(agentJar);
             // Not Files.newOutputStream: on JDK 25 that loads SocketChannelImpl, which is better loaded later.
             OutputStream file = new FileOutputStream(bridgeJar.toFile());
             JarOutputStream target = new JarOutputStream(file)) {
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
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(bridgeJar.toFile()));
        // The open JarFile keeps the content readable; the names can go at exit. The JVM deletes in the
        // reverse order of registration: the jar, then its directory.
        dir.toFile().deleteOnExit();
        bridgeJar.toFile().deleteOnExit();
    }

    /**
     * A new directory only its owner can enter. Not Files.createTempDirectory: its SecureRandom initialises
     * java.security.Security, which reads its properties through a file channel (on JDK 25 that loads
     * SocketChannelImpl before the agent's transformer is registered, and it could then only be advised by
     * retransformation, which costs the start all of Byte Buddy). String.join rather than {@code +}: the first
     * string concatenation a JVM runs costs milliseconds to set up.
     */
    static Path privateDirectory() throws IOException {
        File tmp = new File(System.getProperty("java.io.tmpdir"));
        long pid = ProcessId.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            File dir = new File(tmp, String.join("-", "socket-audit", Long.toString(pid),
                    Long.toHexString(System.nanoTime())));
            if (dir.mkdir()) {
                Files.setPosixFilePermissions(dir.toPath(), PosixFilePermissions.fromString("rwx------"));
                return dir.toPath();
            }
        }
        throw new IOException("cannot create a directory in " + tmp);
    }

    private static boolean isBridgeOnBootstrapPath() {
        try {
            Class.forName("io.socketaudit.bootstrap.CloseBridge", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
