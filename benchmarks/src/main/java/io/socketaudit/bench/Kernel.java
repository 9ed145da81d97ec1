package io.socketaudit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The TIME_WAIT figures of the network namespace the reading process runs in. */
record Kernel(long timeWait, long timeWaitOverflow) {

    static Kernel read() {
        return new Kernel(sockstatTimeWait(), netstat("TcpExt:", "TCPTimeWaitOverflow"));
    }

    /** {@code tw} of the {@code TCP:} line of /proc/net/sockstat, -1 when unreadable. */
    static long sockstatTimeWait() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/sockstat"))) {
                if (line.startsWith("TCP:")) {
                    String[] f = line.trim().split(" +");
                    for (int i = 1; i + 1 < f.length; i++) {
                        if (f[i].equals("tw")) {
                            return Long.parseLong(f[i + 1]);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable
        }
        return -1;
    }

    /** A counter of /proc/net/netstat (header line, then value line per prefix), -1 when unreadable. */
    static long netstat(String prefix, String name) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith(prefix) && lines.get(i + 1).startsWith(prefix)) {
                    String[] names = lines.get(i).trim().split(" +");
                    String[] values = lines.get(i + 1).trim().split(" +");
                    for (int j = 1; j < names.length && j < values.length; j++) {
                        if (names[j].equals(name)) {
                            return Long.parseLong(values[j]);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable
        }
        return -1;
    }
}
