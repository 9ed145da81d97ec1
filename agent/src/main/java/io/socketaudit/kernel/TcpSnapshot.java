package io.socketaudit.kernel;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * What the kernel said about one TCP socket at one moment. Addresses stay in the kernel's encoding until
 * the log writer turns them into text, so that they cost nothing on the closing thread.
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
 * @param sinceDataInMs  milliseconds since the last data arrived (tcpi_last_data_recv; since the handshake when
 *                      none did, and the peer's FIN is not data); -1 when not read
 * @param sinceDataOutMs milliseconds since data was last put on the wire (tcpi_last_data_sent), as above
 * @param addresses     local then remote address, {@value #ADDRESS_BYTES} bytes each (see the probe's C source);
 *                      a family byte of 0 means not read or not known
 */
public record TcpSnapshot(int state, int recvQueue, int sendQueue, boolean lingerZero,
                          long bytesSent, long notSent, long bytesReceived, long sinceDataInMs, long sinceDataOutMs,
                          byte[] addresses) {

    public static final int ADDRESS_BYTES = 20;

    /** Whether bytes the probe encoded hold a local address, without decoding it. */
    public static boolean hasLocal(byte[] addresses) {
        return addresses != null && (addresses[0] == 4 || addresses[0] == 6);
    }

    /** The local address in bytes the probe encoded, as the log writes it; {@code null} when not known. */
    public static String localText(byte[] addresses) {
        return text(addresses, 0);
    }

    /** The remote address in bytes the probe encoded, as the log writes it; {@code null} when not known. */
    public static String remoteText(byte[] addresses) {
        return text(addresses, ADDRESS_BYTES);
    }

    /**
     * {@code a.b.c.d:port}, or {@code [x:x:x:x:x:x:x:x]:port} as {@code Inet6Address.getHostAddress()} writes it
     * (no zero compression), an IPv4-mapped IPv6 address as IPv4 as {@code InetAddress} shows it. Straight from the
     * bytes: decoding into {@code InetAddress} first was a fifth of the log writer's time per event.
     */
    private static String text(byte[] addresses, int offset) {
        if (addresses == null) {
            return null;
        }
        int family = addresses[offset];
        if (family != 4 && family != 6) {
            return null;
        }
        int port = ((addresses[offset + 2] & 0xff) << 8) | (addresses[offset + 3] & 0xff);
        // A service's connections share a few addresses and differ in the port: the last host's text is kept.
        HostText last = lastHost;
        if (last.matches(addresses, offset)) {
            return last.text.concat(Integer.toString(port));
        }
        String host = hostText(addresses, offset);
        lastHost = new HostText(Arrays.copyOfRange(addresses, offset, offset + ADDRESS_BYTES), host);
        return host.concat(Integer.toString(port));
    }

    /** The last address turned into text, with its {@code :} (immutable, so any thread may read it). */
    private static volatile HostText lastHost = new HostText(new byte[ADDRESS_BYTES], "");

    private record HostText(byte[] encoded, String text) {
        boolean matches(byte[] addresses, int offset) {
            // The family, and the address bytes; the port (bytes 2 and 3) differs.
            if (encoded[0] != addresses[offset]) {
                return false;
            }
            return Arrays.equals(encoded, 4, ADDRESS_BYTES, addresses, offset + 4, offset + ADDRESS_BYTES);
        }
    }

    /** {@code a.b.c.d:} or {@code [x:x:x:x:x:x:x:x]:}. */
    private static String hostText(byte[] addresses, int offset) {
        int family = addresses[offset];
        int at = offset + 4;
        StringBuilder text = new StringBuilder(48);
        if (family == 6 && !isIpv4Mapped(addresses, at)) {
            text.append('[');
            for (int group = 0; group < 8; group++) {
                if (group > 0) {
                    text.append(':');
                }
                text.append(Integer.toHexString(((addresses[at + 2 * group] & 0xff) << 8) | (addresses[at + 2 * group + 1] & 0xff)));
            }
            return text.append("]:").toString();
        }
        int v4 = family == 6 ? at + 12 : at;
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                text.append('.');
            }
            text.append(addresses[v4 + i] & 0xff);
        }
        return text.append(':').toString();
    }

    private static boolean isIpv4Mapped(byte[] addresses, int at) {
        for (int i = 0; i < 10; i++) {
            if (addresses[at + i] != 0) {
                return false;
            }
        }
        return addresses[at + 10] == (byte) 0xff && addresses[at + 11] == (byte) 0xff;
    }

    /** Encodes addresses as the probe does; for snapshots made in tests. */
    public static byte[] encode(InetSocketAddress local, InetSocketAddress remote) {
        byte[] bytes = new byte[2 * ADDRESS_BYTES];
        encodeInto(bytes, 0, local);
        encodeInto(bytes, ADDRESS_BYTES, remote);
        return bytes;
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
