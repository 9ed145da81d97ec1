package io.socketaudit.e2e.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

/**
 * A tiny application for the configuration and shutdown tests: one TCP round trip on loopback
 * (three closes: client, server, listener), then, by mode:
 * <ul>
 * <li>{@code roundTrip}: returns from main (exit 0);</li>
 * <li>{@code exit3}: {@code System.exit(3)};</li>
 * <li>{@code awaitTermination}: prints {@value #READY} and blocks until the JVM is terminated.</li>
 * </ul>
 */
public final class E2eApp {

    public static final String DONE = "round trip done";
    public static final String READY = "ready for SIGTERM";

    private E2eApp() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "roundTrip" : args[0];
        roundTrip();
        System.out.println(DONE);
        System.out.flush();
        switch (mode) {
            case "roundTrip":
                return;
            case "exit3":
                System.exit(3);
                return;
            case "awaitTermination":
                System.out.println(READY);
                System.out.flush();
                new CountDownLatch(1).await();
                return;
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    private static void roundTrip() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket listener = new ServerSocket(0, 1, loopback);
        Socket client = new Socket(loopback, listener.getLocalPort());
        Socket server = listener.accept();
        client.getOutputStream().write('x');
        if (server.getInputStream().read() != 'x') {
            throw new IOException("round trip failed");
        }
        client.close();
        if (server.getInputStream().read() != -1) {
            throw new IOException("expected EOF");
        }
        server.close();
        listener.close();
    }
}
