package io.socketaudit.kernel;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Asks the Linux kernel about a TCP socket through a small JNI library built with the agent
 * (TCP_INFO, SIOCINQ, SIOCOUTQ, SO_LINGER, and getsockname/getpeername only where the JDK lacks them).
 * Where the library cannot be loaded, {@link #describe()} says why and every answer is {@code null}.
 */
public final class KernelProbe {

    private static final String LIBRARY = "libsocketaudit-probe.so";
    private static final int ENOPROTOOPT = 92;

    /** Answer for a descriptor that is not a TCP socket (UNIX-domain, UDP). */
    public static final TcpSnapshot NOT_TCP = new TcpSnapshot(0, 0, 0, false, -1, -1, -1, -1, -1, null);

    /** Where probe0 puts each answer in its long[]; mirrors the C source's OUT_ constants. */
    private static final int OUT_STATE = 0;
    private static final int OUT_RECV_QUEUE = 1;
    private static final int OUT_SEND_QUEUE = 2;
    private static final int OUT_LINGER_ON = 3;
    private static final int OUT_LINGER_SECONDS = 4;
    private static final int OUT_BYTES_SENT = 5;
    private static final int OUT_NOT_SENT = 6;
    private static final int OUT_BYTES_RECEIVED = 7;
    private static final int OUT_SINCE_DATA_IN = 8;
    private static final int OUT_SINCE_DATA_OUT = 9;
    private static final int OUT_LENGTH = 10;

    private static final int READ_STATE_AND_INPUT = 1;
    private static final int READ_SEND_QUEUE_AND_LINGER = 2;
    private static final int READ_LOCAL_ADDRESS = 4;
    private static final int READ_REMOTE_ADDRESS = 8;

    private static volatile String unavailableReason = "not loaded";

    private KernelProbe() {
    }

    /**
     * Loads the native library once; safe to call again. Returns null on success, else why it failed.
     *
     * @param directory an empty directory only this user can enter, for the library's file while it loads;
     *                  removed afterwards
     */
    public static synchronized String load(Path directory) {
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
            Path library = directory.resolve(LIBRARY);
            // Created exclusively, without following links, owner-only: nothing another user made is loaded.
            // A channel, not Files.copy: on JDK 25 its stream loads SocketChannelImpl, one of the classes advised.
            try (SeekableByteChannel out = Files.newByteChannel(library, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer bytes = ByteBuffer.wrap(in.readAllBytes());
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
            try {
                System.load(library.toAbsolutePath().toString());
            } finally {
                // Once loaded, the mapping stays valid; removing the files leaves nothing behind.
                Files.delete(library);
            }
            Files.delete(directory);
            unavailableReason = null;
        } catch (IOException | LinkageError | SecurityException e) {
            unavailableReason = e.toString();
        }
        return unavailableReason;
    }

    /** Whether the agent's native library is loaded (it also serves the log writer's stack keys). */
    public static boolean isLoaded() {
        return unavailableReason == null;
    }

    /** "jni" when available, else "unavailable: reason". */
    public static String describe() {
        String reason = unavailableReason;
        return reason == null ? "jni" : "unavailable: " + reason;
    }

    /**
     * The kernel's view of the socket behind {@code fd} at the start of a close or shutdown: state, both
     * queues, SO_LINGER, and the addresses the caller does not know. {@link #NOT_TCP} for other sockets,
     * {@code null} when it cannot be known (no library, descriptor already closed).
     */
    public static TcpSnapshot probe(FileDescriptor fd, boolean readLocal, boolean readRemote) {
        return probe(fd, READ_STATE_AND_INPUT | READ_SEND_QUEUE_AND_LINGER | addressFlags(readLocal, readRemote));
    }

    /** The same for a descriptor known only by its number, as Netty's native sockets hold it. */
    public static TcpSnapshot probe(int fd, boolean readLocal, boolean readRemote) {
        return probe(null, fd, READ_STATE_AND_INPUT | READ_SEND_QUEUE_AND_LINGER | addressFlags(readLocal, readRemote));
    }

    /** The state and both addresses of a descriptor known by its number: for a connection being opened. */
    public static TcpSnapshot probeOpening(int fd) {
        return probe(null, fd, READ_STATE_AND_INPUT | READ_LOCAL_ADDRESS | READ_REMOTE_ADDRESS);
    }

    /** Only the state and the receive queue: all that decides what the kernel's close will send. */
    public static TcpSnapshot probeStateAndInput(FileDescriptor fd) {
        return probe(fd, READ_STATE_AND_INPUT);
    }

    /** Only addresses, for a connection being opened; {@code null} when neither is asked for or none is known. */
    public static byte[] addresses(FileDescriptor fd, boolean readLocal, boolean readRemote) {
        int what = addressFlags(readLocal, readRemote);
        TcpSnapshot snapshot = what == 0 ? null : probe(fd, what);
        return snapshot == null ? null : snapshot.addresses();
    }

    /** The descriptor object of a {@code java.net.SocketImpl}, {@code null} without the library. */
    public static FileDescriptor socketImplFd(Object socketImpl) {
        return unavailableReason == null && socketImpl != null ? socketImplFd0(socketImpl) : null;
    }

    /**
     * The peer's address that the JDK set on a {@code java.net.SocketImpl} it accepted, {@code null} without the
     * library; the JDK read it from the kernel at accept, so asking the kernel again would only cost a system call.
     */
    public static InetAddress socketImplPeerAddress(Object socketImpl) {
        return unavailableReason == null && socketImpl != null ? socketImplPeerAddress0(socketImpl) : null;
    }

    /** The peer's port that goes with {@link #socketImplPeerAddress}. */
    public static int socketImplPeerPort(Object socketImpl) {
        return unavailableReason == null && socketImpl != null ? socketImplPeerPort0(socketImpl) : 0;
    }

    /** The descriptor object under a {@code java.net.Socket} (TLS ones included), {@code null} when unknown. */
    public static FileDescriptor socketFd(Object socket) {
        return unavailableReason == null && socket != null ? socketFd0(socket) : null;
    }

    private static int addressFlags(boolean readLocal, boolean readRemote) {
        return (readLocal ? READ_LOCAL_ADDRESS : 0) | (readRemote ? READ_REMOTE_ADDRESS : 0);
    }

    private static TcpSnapshot probe(FileDescriptor fd, int what) {
        return fd == null ? null : probe(fd, -1, what);
    }

    /** Asks about {@code fd}, or about the descriptor numbered {@code fdNumber} when {@code fd} is null. */
    private static TcpSnapshot probe(FileDescriptor fd, int fdNumber, int what) {
        if (unavailableReason != null) {
            return null;
        }
        long[] values = new long[OUT_LENGTH];
        byte[] addresses = (what & (READ_LOCAL_ADDRESS | READ_REMOTE_ADDRESS)) != 0
                ? new byte[2 * TcpSnapshot.ADDRESS_BYTES] : null;
        int error = fd != null ? probe0(fd, what, values, addresses) : probeFd0(fdNumber, what, values, addresses);
        if (error == ENOPROTOOPT) {
            return NOT_TCP;
        }
        if (error != 0) {
            return null;
        }
        boolean sendQueueRead = (what & READ_SEND_QUEUE_AND_LINGER) != 0;
        return new TcpSnapshot((int) values[OUT_STATE], (int) values[OUT_RECV_QUEUE],
                sendQueueRead ? (int) values[OUT_SEND_QUEUE] : -1,
                values[OUT_LINGER_ON] != 0 && values[OUT_LINGER_SECONDS] == 0,
                values[OUT_BYTES_SENT], values[OUT_NOT_SENT], values[OUT_BYTES_RECEIVED], values[OUT_SINCE_DATA_IN],
                values[OUT_SINCE_DATA_OUT], addresses);
    }

    private static native int probe0(FileDescriptor fd, int what, long[] values, byte[] addresses);

    private static native int probeFd0(int fd, int what, long[] values, byte[] addresses);

    private static native FileDescriptor socketImplFd0(Object socketImpl);

    private static native FileDescriptor socketFd0(Object socket);

    private static native InetAddress socketImplPeerAddress0(Object socketImpl);

    private static native int socketImplPeerPort0(Object socketImpl);
}
