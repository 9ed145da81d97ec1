package io.socketaudit.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The start-up benchmark's application. Prints {@link System#nanoTime()} as the first thing {@code main} does;
 * on Linux the JVM reads CLOCK_MONOTONIC, one clock for all processes, so the harness subtracts the moment it
 * started the process to get the time to {@code main()}. Then opens and closes one loopback connection and
 * prints the time again: the first socket operations are where an agent's deferred set-up shows. With the argument
 * {@code print} it is a plain hello-world: it prints and returns, opening no socket, so whatever an agent still does
 * in the background shows only at exit.
 */
public final class Hello {

    private Hello() {
    }

    public static void main(String[] args) throws Exception {
        long atMain = System.nanoTime();
        System.out.println("Hello, world");
        if (args.length > 0 && args[0].equals("print")) {
            Results.print("mainNanos", atMain);
            return;
        }
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket()) {
                client.connect(listener.getLocalSocketAddress());
                listener.accept().close();
            }
        }
        long afterFirstConnection = System.nanoTime();
        Results.print("mainNanos", atMain, "firstConnectionNanos", afterFirstConnection);
    }
}
