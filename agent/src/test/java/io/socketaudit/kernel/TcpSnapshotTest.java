package io.socketaudit.kernel;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The kernel's address bytes become the text the JDK's own address classes would show. */
class TcpSnapshotTest {

    @Test
    void addressTextIsWhatInetAddressShows() throws Exception {
        String[] hosts = {"127.0.0.1", "10.20.30.40", "255.255.255.255", "0.0.0.0", "::1", "::", "fe80::1",
            "2001:db8:0:0:1:0:0:ff", "2001:db8:abcd:12:ffff:ffff:ffff:ffff", "::ffff:192.0.2.7"};
        int[] ports = {0, 1, 80, 443, 65535};
        for (String host : hosts) {
            InetAddress ip = InetAddress.getByName(host);
            for (int port : ports) {
                String hostText = ip.getHostAddress();
                String expected = ip instanceof Inet6Address ? "[" + hostText + "]:" + port : hostText + ":" + port;
                byte[] encoded = encodedAsTheProbeDoes(ip, port);
                assertEquals(expected, TcpSnapshot.localText(encoded), host);
                assertEquals(expected, TcpSnapshot.remoteText(swap(encoded)), host);
            }
        }
    }

    @Test
    void unknownAddressesHaveNoText() {
        assertNull(TcpSnapshot.localText(null));
        assertNull(TcpSnapshot.localText(new byte[2 * TcpSnapshot.ADDRESS_BYTES]));
        assertNull(TcpSnapshot.remoteText(TcpSnapshot.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), null)));
    }

    /** An IPv4-mapped address arrives from the kernel as IPv6 bytes, which InetAddress would turn into IPv4. */
    private static byte[] encodedAsTheProbeDoes(InetAddress ip, int port) {
        byte[] bytes = new byte[2 * TcpSnapshot.ADDRESS_BYTES];
        byte[] raw = ip.getAddress();
        boolean mapped = ip.getHostAddress().equals("192.0.2.7");
        bytes[0] = (byte) (raw.length == 4 && !mapped ? 4 : 6);
        bytes[2] = (byte) (port >> 8);
        bytes[3] = (byte) port;
        if (mapped) {
            bytes[4 + 10] = (byte) 0xff;
            bytes[4 + 11] = (byte) 0xff;
            System.arraycopy(raw, 0, bytes, 4 + 12, 4);
        } else {
            System.arraycopy(raw, 0, bytes, 4, raw.length);
        }
        return bytes;
    }

    private static byte[] swap(byte[] encoded) {
        byte[] swapped = new byte[encoded.length];
        System.arraycopy(encoded, 0, swapped, TcpSnapshot.ADDRESS_BYTES, TcpSnapshot.ADDRESS_BYTES);
        return swapped;
    }
}
