package io.socketaudit.kernel;

import java.net.InetSocketAddress;

/**
 * What the kernel said about one TCP socket at one moment.
 *
 * @param state         the kernel's TCP state, one of the {@code TcpState} numbers
 * @param recvQueue     bytes received and not yet read by the application (SIOCINQ)
 * @param sendQueue     bytes written and not yet acknowledged by the peer, plus one for an unacknowledged FIN (SIOCOUTQ)
 * @param lingerZero    SO_LINGER is on with a zero timeout: a close sends RST
 * @param bytesAcked    bytes the peer acknowledged over the connection's life, -1 when the kernel does not say
 * @param bytesReceived bytes received over the connection's life, -1 when the kernel does not say
 * @param local         the socket's own address, {@code null} when the kernel did not give it
 * @param remote        the peer's address, {@code null} when the kernel did not give it (e.g. after a reset)
 */
public record TcpSnapshot(int state, int recvQueue, int sendQueue, boolean lingerZero,
                          long bytesAcked, long bytesReceived,
                          InetSocketAddress local, InetSocketAddress remote) {
}
