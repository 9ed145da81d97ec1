package io.socketaudit.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap per open connection: opens {@code pairs} loopback connections with both ends in this JVM (2 × pairs
 * open sockets), and prints the heap in use after full collections before and after opening them. With
 * {@code histogram}, also prints the JVM's class histogram (jcmd GC.class_histogram) before ({@code HIST0}) and
 * after ({@code HIST1}) opening them, one {@code HISTn class instances bytes} line per class, so the harness can
 * tell where the bytes go.
 *
 * <p>Arguments: {@code pairs [histogram]}.
 */
public final class OpenMany {

    private OpenMany() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        boolean histogram = args.length > 1 && args[1].equals("histogram");
        List<Socket> sockets = new ArrayList<>(2 * pairs);
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            // Warm up: the first connections pay the agent's transformations and lazy start.
            for (int i = 0; i < 200; i++) {
                try (Socket c = new Socket()) {
                    c.connect(listener.getLocalSocketAddress());
                    listener.accept().close();
                }
            }
            Thread.sleep(1000);
            if (histogram) {
                // First, so that what attaching jcmd leaves in the heap is in both measurements.
                printHistogram("HIST0");
            }
            long before = usedAfterGc();
            for (int i = 0; i < pairs; i++) {
                Socket client = new Socket();
                client.connect(listener.getLocalSocketAddress());
                sockets.add(client);
                sockets.add(listener.accept());
            }
            Thread.sleep(1000); // let the writer drain the open events: the queue is not the steady state
            long after = usedAfterGc();
            if (histogram) {
                printHistogram("HIST1");
            }
            Results.print("connections", sockets.size(), "heapBefore", before, "heapAfter", after,
                    "bytesPerConnection", (double) (after - before) / sockets.size());
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static void printHistogram(String prefix) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, String.valueOf(ProcessHandle.current().pid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                // "   1:         12345        678901  java.lang.String (java.base@17)"
                String[] f = line.trim().split(" +");
                if (f.length >= 4 && f[0].endsWith(":") && f[0].length() > 1) {
                    // Lambda and hidden classes get a new name in every JVM: keep what is the same across runs.
                    String name = f[3].replaceAll("\\$\\$Lambda\\$?[0-9]*/0x[0-9a-f]+", "\\$\\$Lambda")
                            .replaceAll("/0x[0-9a-f]+", "");
                    System.out.println(prefix + " " + name + " " + f[1] + " " + f[2]);
                }
            }
        }
        p.waitFor();
    }
}
