package io.socketaudit.demo;

import static io.socketaudit.demo.LineProtocol.readLine;
import static io.socketaudit.demo.LineProtocol.readToEnd;
import static io.socketaudit.demo.LineProtocol.send;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * Scenario 9: a TLS connection that both sides end cleanly. The client ends its side with
 * {@code shutdownOutput()}, which sends close_notify and FIN; the server reads to the end and
 * closes, sending its own close_notify; the client reads that and closes. Had the client simply
 * closed, the server's close_notify would arrive at a closed socket and be answered with RST.
 *
 * <p>The server reads end of stream as soon as the close_notify arrives, which may be before the
 * client's FIN has left: the server waits until the client's {@code shutdownOutput()} returned,
 * and the client closes only once the server's {@code close()} returned, so the log tells the
 * same story on every run.
 */
final class TlsScenario {

    private TlsScenario() {
    }

    static String sslSocketClosedCleanly() throws Exception {
        var tls = SelfSignedTls.createContext();
        SSLServerSocket listener = (SSLServerSocket) tls.getServerSocketFactory()
                .createServerSocket(0, 50, LoopbackListener.LOOPBACK);
        CountDownLatch clientHasEnded = new CountDownLatch(1);
        // The handshake needs both ends at once, so the server side runs in its own thread.
        FutureTask<String> server = new FutureTask<>(() -> serveOneGreeting(listener, clientHasEnded));
        new Thread(server, "tls-server").start();

        SSLSocket client = (SSLSocket) tls.getSocketFactory().createSocket(LoopbackListener.LOOPBACK, listener.getLocalPort());
        client.setSoTimeout(LoopbackListener.STUCK_READ_TIMEOUT_MILLIS);
        send(client.getOutputStream(), "HELLO\n");
        String greeting = readLine(client.getInputStream());
        client.shutdownOutput();
        clientHasEnded.countDown();
        String afterCloseNotify = readToEnd(client.getInputStream());
        // End of stream came with the server's close_notify; its FIN follows once its close() returns.
        String serverSaw = server.get(LoopbackListener.STUCK_READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        client.close();
        listener.close();
        if (!afterCloseNotify.isEmpty()) {
            throw new IllegalStateException("client read \"" + afterCloseNotify + "\" after the greeting");
        }
        return client.getSession().getProtocol() + ": client got \"" + greeting + "\" and ended; " + serverSaw
                + "; both sides sent close_notify";
    }

    /** Answers one greeting, then closes once the client has ended its side. */
    private static String serveOneGreeting(SSLServerSocket listener, CountDownLatch clientHasEnded) throws Exception {
        SSLSocket server = (SSLSocket) listener.accept();
        server.setSoTimeout(LoopbackListener.STUCK_READ_TIMEOUT_MILLIS);
        String request = readLine(server.getInputStream());
        send(server.getOutputStream(), "WELCOME\n");
        String rest = readToEnd(server.getInputStream());
        if (!clientHasEnded.await(LoopbackListener.STUCK_READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the client never finished shutdownOutput()");
        }
        server.close();
        return "server read \"" + request + "\"" + (rest.isEmpty() ? "" : " and \"" + rest + "\"") + ", then close_notify, and closed";
    }
}
