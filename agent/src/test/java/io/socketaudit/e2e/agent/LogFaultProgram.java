package io.socketaudit.e2e.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The application of the log failure tests: round trips on loopback in phases, with the test breaking (or
 * mending) the log's file system in between. After each phase but the last it prints {@code phase N done} and
 * waits for the file {@code <go-prefix>N} to appear (the test's go-ahead); at the end it prints how many
 * connection events it caused: each round trip opens two connection ends and closes both, and the listener
 * closes at the end. Arguments: go-prefix, then the round trips of each phase.
 */
public final class LogFaultProgram {

    static final String DONE = "done, connection events: ";

    private LogFaultProgram() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        int total = 0;
        try (ServerSocket listener = new ServerSocket(0, 50, loopback)) {
            for (int phase = 1; phase < args.length; phase++) {
                if (phase > 1) {
                    System.out.println(phaseDone(phase - 1));
                    System.out.flush();
                    Path go = Paths.get(args[0] + (phase - 1));
                    while (!Files.exists(go)) {
                        Thread.sleep(5); // the test's handshake: polling the file it creates
                    }
                }
                int roundTrips = Integer.parseInt(args[phase]);
                roundTrips(listener, roundTrips);
                total += roundTrips;
            }
        }
        System.out.println(DONE + expectedEvents(total));
    }

    static String phaseDone(int phase) {
        return "phase " + phase + " done";
    }

    /** Opens and closes of connection ends, and the listener's close. */
    static long expectedEvents(int roundTrips) {
        return 4L * roundTrips + 1;
    }

    private static void roundTrips(ServerSocket listener, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            try (Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
                 Socket server = listener.accept()) {
                client.getOutputStream().write('x');
                if (server.getInputStream().read() != 'x') {
                    throw new IOException("round trip failed");
                }
            }
        }
    }
}
