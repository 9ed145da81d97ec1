package io.socketaudit.kernel;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * Asks the Linux kernel about a TCP socket through a small JNI library built with the agent
 * (TCP_INFO, SIOCINQ, SIOCOUTQ, SO_LINGER, getsockname, getpeername: about a microsecond in all).
 * Where the library cannot be loaded, {@link #isAvailable()} is false and every answer is {@code null}.
 */
public final class KernelProbe {

    private static final String LIBRARY = "libsocketaudit-probe.so";
    private static final int ENOPROTOOPT = 92;
    private static final int ADDRESS_BYTES = 20;

    /** Answer for a descriptor that is not a TCP socket (UNIX-domain, UDP). */
    public static final TcpSnapshot NOT_TCP = new TcpSnapshot(0, 0, 0, false, -1, -1, null, null);

    private static volatile String unavailableReason = "not loaded";

    private KernelProbe() {
    }

    /** Loads the native library once; safe to call again. Returns null on success, else why it failed. */
    public static synchronized String load() {
        if (unavailableReason == null) {
            return null;
        }
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            unavailableReason = "no kernel probe for " + os + "/" + arch;
            return unavailableReason;
        }
        try (InputStream in = KernelProbe.class.getResourceAsStream("linux-x86_64/" + LIBRARY)) {
            if (in == null) {
                unavailableReason = LIBRARY + " is missing from the agent jar";
                return unavailableReason;
            }
            Path dir = Files.createTempDirectory("socket-audit",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path library = dir.resolve(LIBRARY);
            Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
            System.load(library.toAbsolutePath().toString());
            // Once loaded, the mapping stays valid; removing the files leaves nothing behind.
            Files.delete(library);
            Files.delete(dir);
            unavailableReason = null;
        } catch (IOException | LinkageError | SecurityException e) {
            unavailableReason = e.toString();
        }
        return unavailableReason;
    }

    public static boolean isAvailable() {
        return unavailableReason == null;
    }

    /** "jni" when available, else "unavailable: reason". */
    public static String describe() {
        String reason = unavailableReason;
        return reason == null ? "jni" : "unavailable: " + reason;
    }

    /**
     * The kernel's view of the socket behind {@code fd}; {@link #NOT_TCP} for other sockets,
     * {@code null} when it cannot be known (no library, descriptor already closed).
     */
    public static TcpSnapshot probe(FileDescriptor fd) {
        if (unavailableReason != null || fd == null) {
            return null;
        }
        long[] values = new long[7];
        byte[] addresses = new byte[2 * ADDRESS_BYTES];
        int error = probe0(fd, values, addresses);
        if (error == ENOPROTOOPT) {
            return NOT_TCP;
        }
        if (error != 0) {
            return null;
        }
        boolean lingerZero = values[3] != 0 && values[4] == 0;
        return new TcpSnapshot((int) values[0], (int) values[1], (int) values[2], lingerZero,
                values[5], values[6], decode(addresses, 0), decode(addresses, ADDRESS_BYTES));
    }

    private static InetSocketAddress decode(byte[] bytes, int offset) {
        int family = bytes[offset];
        if (family != 4 && family != 6) {
            return null;
        }
        int port = ((bytes[offset + 2] & 0xff) << 8) | (bytes[offset + 3] & 0xff);
        byte[] raw = Arrays.copyOfRange(bytes, offset + 4, offset + 4 + (family == 4 ? 4 : 16));
        try {
            // InetAddress turns IPv4-mapped IPv6 addresses into IPv4 ones, as the JDK shows them.
            return new InetSocketAddress(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static native int probe0(FileDescriptor fd, long[] values, byte[] addresses);
}
