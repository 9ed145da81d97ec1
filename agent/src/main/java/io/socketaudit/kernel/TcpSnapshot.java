package io.socketaudit.kernel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * What the kernel said about one TCP socket at one moment. Addresses stay in the kernel's encoding until
 * someone asks for them, so that decoding them costs nothing on the closing thread.
 *
 * @param state         the kernel's TCP state, one of the {@link TcpState} numbers
 * @param recvQueue     bytes received and not yet read by the application (SIOCINQ)
 * @param sendQueue     bytes written and not yet acknowledged by the peer, plus one for an unacknowledged FIN
 *                      (SIOCOUTQ); -1 when not read
 * @param lingerZero    SO_LINGER is on with a zero timeout: a close sends RST
 * @param bytesSent     data bytes put on the wire over the connection's life, each once (retransmissions not
 *                      counted again); -1 when the kernel does not say
 * @param notSent       data bytes written and not yet put on the wire; -1 when the kernel does not say
 * @param bytesReceived bytes received over the connection's life, counting the peer's FIN as one once it
 *                      arrived; -1 when the kernel does not say
 * @param addresses     local then remote address, {@value #ADDRESS_BYTES} bytes each (see the probe's C source);
 *                      a family byte of 0 means not read or not known
 */
public record TcpSnapshot(int state, int recvQueue, int sendQueue, boolean lingerZero,
                          long bytesSent, long notSent, long bytesReceived, byte[] addresses) {

    public static final int ADDRESS_BYTES = 20;

    /** The socket's own address, {@code null} when the kernel was not asked or did not say. */
    public InetSocketAddress local() {
        return decode(addresses, 0);
    }

    /** The peer's address, {@code null} when the kernel was not asked or did not say (e.g. after a reset). */
    public InetSocketAddress remote() {
        return decode(addresses, ADDRESS_BYTES);
    }

    /** Whether bytes the probe encoded hold a local address, without decoding it. */
    public static boolean hasLocal(byte[] addresses) {
        return addresses != null && (addresses[0] == 4 || addresses[0] == 6);
    }

    /** The local address in bytes the probe encoded; {@code null} when not known. */
    public static InetSocketAddress localOf(byte[] addresses) {
        return decode(addresses, 0);
    }

    /** The remote address in bytes the probe encoded; {@code null} when not known. */
    public static InetSocketAddress remoteOf(byte[] addresses) {
        return decode(addresses, ADDRESS_BYTES);
    }

    /** Encodes addresses as the probe does; for snapshots made in tests. */
    public static byte[] encode(InetSocketAddress local, InetSocketAddress remote) {
        byte[] bytes = new byte[2 * ADDRESS_BYTES];
        encodeInto(bytes, 0, local);
        encodeInto(bytes, ADDRESS_BYTES, remote);
        return bytes;
    }

    private static InetSocketAddress decode(byte[] addresses, int offset) {
        if (addresses == null) {
            return null;
        }
        int family = addresses[offset];
        if (family != 4 && family != 6) {
            return null;
        }
        int port = ((addresses[offset + 2] & 0xff) << 8) | (addresses[offset + 3] & 0xff);
        byte[] raw = Arrays.copyOfRange(addresses, offset + 4, offset + 4 + (family == 4 ? 4 : 16));
        try {
            // InetAddress turns IPv4-mapped IPv6 addresses into IPv4 ones, as the JDK shows them.
            return new InetSocketAddress(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static void encodeInto(byte[] bytes, int offset, InetSocketAddress address) {
        if (address == null) {
            return;
        }
        byte[] raw = address.getAddress().getAddress();
        bytes[offset] = (byte) (raw.length == 4 ? 4 : 6);
        bytes[offset + 2] = (byte) (address.getPort() >> 8);
        bytes[offset + 3] = (byte) address.getPort();
        System.arraycopy(raw, 0, bytes, offset + 4, raw.length);
    }
}
