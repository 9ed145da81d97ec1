package io.socketaudit.kernel;

import java.io.FileDescriptor;
import java.net.InetAddress;

/**
 * The JDK's private socket fields, read through JNI so that no module of the JDK has to be opened to the agent:
 * what the JDK already knows (a descriptor, an accepted peer's address) costs no system call. Every answer is
 * {@code null} (or 0) where the library is not loaded.
 */
public final class JdkSocketFields {

    private JdkSocketFields() {
    }

    /** The descriptor object of a {@code java.net.SocketImpl}, {@code null} without the library. */
    public static FileDescriptor socketImplFd(Object socketImpl) {
        return NativeLibrary.isLoaded() && socketImpl != null ? socketImplFd0(socketImpl) : null;
    }

    /**
     * The peer's address that the JDK set on a {@code java.net.SocketImpl} it accepted, {@code null} without the
     * library; the JDK read it from the kernel at accept, so asking the kernel again would only cost a system call.
     */
    public static InetAddress socketImplPeerAddress(Object socketImpl) {
        return NativeLibrary.isLoaded() && socketImpl != null ? socketImplPeerAddress0(socketImpl) : null;
    }

    /** The peer's port that goes with {@link #socketImplPeerAddress}. */
    public static int socketImplPeerPort(Object socketImpl) {
        return NativeLibrary.isLoaded() && socketImpl != null ? socketImplPeerPort0(socketImpl) : 0;
    }

    /** The descriptor object under a {@code java.net.Socket} (TLS ones included), {@code null} when unknown. */
    public static FileDescriptor socketFd(Object socket) {
        return NativeLibrary.isLoaded() && socket != null ? socketFd0(socket) : null;
    }

    private static native FileDescriptor socketImplFd0(Object socketImpl);

    private static native FileDescriptor socketFd0(Object socket);

    private static native InetAddress socketImplPeerAddress0(Object socketImpl);

    private static native int socketImplPeerPort0(Object socketImpl);
}
