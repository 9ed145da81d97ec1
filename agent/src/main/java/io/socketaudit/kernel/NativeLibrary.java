package io.socketaudit.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The agent's native library, built with it for Linux x86-64: the kernel probe ({@link KernelProbe}), the reads
 * of the JDK's private socket fields ({@link JdkSocketFields}), the stack decoder's backtrace and the log file's
 * descriptor checks and block allocation. Where it cannot be loaded, {@link #describe()} says why, and each of
 * those answers {@code null} or falls back to what Java alone can do.
 */
public final class NativeLibrary {

    private static final String LIBRARY = "libsocketaudit-probe.so";
    /** Where the library is in the agent jar (and on the class path of a build). */
    public static final String RESOURCE = "io/socketaudit/kernel/linux-x86_64/" + LIBRARY;

    private static volatile String unavailableReason = "not loaded";

    private NativeLibrary() {
    }

    /**
     * Loads the native library once; safe to call again. Returns null on success, else why it failed.
     *
     * @param directory an empty directory only this user can enter, for the library's file while it loads;
     *                  which the caller removes afterwards
     * @param library   the library's bytes, read from {@link #RESOURCE}
     */
    public static synchronized String load(Path directory, byte[] library) {
        if (unavailableReason == null) {
            return null;
        }
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            unavailableReason = "no kernel probe for " + os + "/" + arch;
            return unavailableReason;
        }
        try {
            Path file = directory.resolve(LIBRARY);
            // Created exclusively, without following links, owner-only: nothing another user made is loaded.
            // A channel, not Files.copy: on JDK 25 its stream loads SocketChannelImpl, one of the classes advised.
            try (SeekableByteChannel out = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer bytes = ByteBuffer.wrap(library);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
            try {
                System.load(file.toAbsolutePath().toString());
            } finally {
                // Once loaded, the mapping stays valid; removing the files leaves nothing behind.
                Files.delete(file);
            }
            unavailableReason = null;
        } catch (IOException | LinkageError | SecurityException e) {
            unavailableReason = e.toString();
        }
        return unavailableReason;
    }

    /** Whether the library is loaded. */
    public static boolean isLoaded() {
        return unavailableReason == null;
    }

    /** "jni" when available, else "unavailable: reason". */
    public static String describe() {
        String reason = unavailableReason;
        return reason == null ? "jni" : "unavailable: " + reason;
    }
}
