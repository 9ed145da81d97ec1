package io.socketaudit.agent;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Enumeration;
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

    private BootstrapJar() {
    }

    static void appendBridge(java.lang.instrument.Instrumentation instrumentation) throws IOException {
        if (isBridgeOnBootstrapPath()) {
            return; // attached before: the JDK's classes already use that copy
        }
        File agentJar = agentJar();
        Path dir = privateDirectory();
        Path bridgeJar = dir.resolve("socket-audit-bootstrap.jar");
        try (JarFile source = new JarFile(agentJar);
             // Not Files.newOutputStream: on JDK 25 that loads SocketChannelImpl, which is better loaded later.
             OutputStream file = new FileOutputStream(bridgeJar.toFile());
             JarOutputStream target = new JarOutputStream(file)) {
            Enumeration<JarEntry> entries = source.entries();
            int copied = 0;
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().startsWith(BRIDGE_PACKAGE) && !entry.isDirectory()) {
                    target.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream in = source.getInputStream(entry)) {
                        in.transferTo(target);
                    }
                    target.closeEntry();
                    copied++;
                }
            }
            if (copied == 0) {
                throw new IOException(agentJar + " holds no " + BRIDGE_PACKAGE + " classes");
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
     * SocketChannelImpl, before the agent can hold it back for its advice), and the agent's start must not
     * wait for a class the application may be initialising at that moment.
     */
    static Path privateDirectory() throws IOException {
        File tmp = new File(System.getProperty("java.io.tmpdir"));
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; attempt < 100; attempt++) {
            File dir = new File(tmp, "socket-audit-" + pid + "-" + Long.toHexString(System.nanoTime()));
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

    private static File agentJar() throws IOException {
        try {
            File jar = new File(BootstrapJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!jar.isFile()) {
                throw new IOException("the agent is not running from its jar (" + jar + ")");
            }
            return jar;
        } catch (URISyntaxException | SecurityException e) {
            throw new IOException("cannot locate the agent jar", e);
        }
    }
}
