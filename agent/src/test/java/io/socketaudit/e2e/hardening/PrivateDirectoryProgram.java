package io.socketaudit.e2e.hardening;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Creates the agent's private directory and a file in it, as the agent jar given as first argument does at
 * start, and prints the permissions each got: the test runs it under a umask that would let others in.
 */
public final class PrivateDirectoryProgram {

    private PrivateDirectoryProgram() {
    }

    public static void main(String[] args) throws Exception {
        try (URLClassLoader agent = new URLClassLoader(new URL[] {Paths.get(args[0]).toUri().toURL()}, null)) {
            Class<?> privateDirectory = agent.loadClass("io.socketaudit.agent.PrivateDirectory");
            Method create = privateDirectory.getDeclaredMethod("create");
            Method writeNew = privateDirectory.getDeclaredMethod("writeNew", Path.class, String.class, byte[].class);
            create.setAccessible(true);
            writeNew.setAccessible(true);
            Path dir = (Path) create.invoke(null);
            Path file = (Path) writeNew.invoke(null, dir, "library.so", new byte[] {1});
            System.out.println("directory " + permissions(dir));
            System.out.println("file " + permissions(file));
        }
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
