package io.socketaudit.e2e.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Captures TCP traffic on the loopback interface with tcpdump, so a test can check what really
 * went on the wire: which side sent a FIN, which an RST.
 *
 * <p>{@link #start()} returns once tcpdump reports "listening on lo" (a handshake, no sleep).
 * {@link #sync()} makes a marker connection and waits until tcpdump has printed it: packets are
 * printed in capture order, so everything sent before the marker has been seen by then.
 *
 * <p>tcpdump is required, never optional: a missing tcpdump or a failed start fails the test with
 * a message saying so.
 */
public final class LoopbackCapture implements AutoCloseable {

    /** How long to wait for tcpdump at most; only a guard against hanging forever. */
    private static final long GUARD_SECONDS = 60;

    private static final Pattern LINE = Pattern.compile(
            "^\\S+ IP6? (\\S+)\\.(\\d+) > (\\S+)\\.(\\d+): Flags \\[([^\\]]*)\\](.*)$");
    private static final Pattern LENGTH = Pattern.compile("length (\\d+)");
    private static final Pattern DROPPED = Pattern.compile("(\\d+) packets? dropped by kernel");

    /** One captured TCP segment. */
    public record Packet(int index, String srcHost, int srcPort, String dstHost, int dstPort,
                         String flags, int length, String line) {

        public boolean fin() {
            return flags.indexOf('F') >= 0;
        }

        public boolean rst() {
            return flags.indexOf('R') >= 0;
        }

        public boolean syn() {
            return flags.indexOf('S') >= 0;
        }

        public boolean from(int fromPort, int toPort) {
            return srcPort == fromPort && dstPort == toPort;
        }

        public boolean between(int portA, int portB) {
            return from(portA, portB) || from(portB, portA);
        }
    }

    private final Process tcpdump;
    private final List<Packet> packets = new ArrayList<>();
    private final List<String> unparsed = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final CountDownLatch listening = new CountDownLatch(1);
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private volatile boolean stdoutClosed;

    private LoopbackCapture(Process tcpdump) {
        this.tcpdump = tcpdump;
        this.stdoutReader = new Thread(this::readStdout, "tcpdump-stdout");
        this.stderrReader = new Thread(this::readStderr, "tcpdump-stderr");
        stdoutReader.setDaemon(true);
        stderrReader.setDaemon(true);
        stdoutReader.start();
        stderrReader.start();
    }

    /** A child JVM's run, what crossed the loopback while it ran, and what the capture itself reported. */
    public record Run(AgentJvm.Result result, List<Packet> packets, long droppedByKernel, String diagnostics) {
    }

    /**
     * Runs {@code child} to its end under a capture of its own; the drop count and diagnostics are read after
     * tcpdump has stopped, which is when it reports them.
     */
    public static Run around(AgentJvm child) throws Exception {
        LoopbackCapture capture = start();
        AgentJvm.Result result;
        List<Packet> packets;
        try {
            result = child.run();
            capture.sync();
            packets = capture.packets();
        } finally {
            capture.close();
        }
        return new Run(result, packets, capture.droppedByKernel(), capture.diagnostics());
    }

    /** Starts tcpdump on {@code lo} and returns when it is capturing. */
    public static LoopbackCapture start() throws IOException, InterruptedException {
        Path exe = findTcpdump();
        // -B: a 64 MiB kernel buffer, so a busy loopback (other tests, benchmarks) does not make
        // tcpdump drop packets; drops are reported by droppedByKernel() after close().
        Process process = new ProcessBuilder(exe.toString(), "-l", "-nn", "-i", "lo", "-S", "-U", "-B", "65536", "tcp")
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        process.getOutputStream().close();
        LoopbackCapture capture = new LoopbackCapture(process);
        boolean signalled = capture.listening.await(GUARD_SECONDS, TimeUnit.SECONDS);
        if (!signalled || !capture.isListening()) {
            capture.close();
            throw new IllegalStateException("tcpdump did not start capturing on lo (the end-to-end tests "
                    + "check the wire and need it; run them as root or give tcpdump cap_net_raw): "
                    + capture.stderrText());
        }
        return capture;
    }

    private static Path findTcpdump() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Paths.get("/usr/bin/tcpdump"));
        candidates.add(Paths.get("/usr/sbin/tcpdump"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    candidates.add(Paths.get(dir, "tcpdump"));
                }
            }
        }
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("tcpdump is not installed (looked in /usr/bin, /usr/sbin and PATH). "
                + "The end-to-end tests check FIN/RST on the wire and are never skipped: install it "
                + "(Debian: apt-get install tcpdump; .ci/run does this).");
    }

    private boolean isListening() {
        synchronized (stderr) {
            return stderr.stream().anyMatch(l -> l.contains("listening on lo"));
        }
    }

    /** What tcpdump printed on stderr and how it ended, for messages about the capture itself. */
    public String diagnostics() {
        String exit = tcpdump.isAlive() ? "still running" : "exit code " + tcpdump.exitValue();
        return "tcpdump " + exit + ", stderr: " + stderrText();
    }

    private String stderrText() {
        synchronized (stderr) {
            return String.join(" | ", stderr);
        }
    }

    private void readStderr() {
        try (BufferedReader in = reader(tcpdump.getErrorStream())) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (stderr) {
                    stderr.add(line);
                }
                if (line.contains("listening on lo")) {
                    listening.countDown();
                }
            }
        } catch (IOException ignored) {
            // tcpdump went away; start() or close() reports what it said
        } finally {
            listening.countDown();
        }
    }

    private void readStdout() {
        try (BufferedReader in = reader(tcpdump.getInputStream())) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = LINE.matcher(line);
                synchronized (packets) {
                    if (m.matches()) {
                        Matcher len = LENGTH.matcher(m.group(6));
                        int length = len.find() ? Integer.parseInt(len.group(1)) : 0;
                        packets.add(new Packet(packets.size(), m.group(1), Integer.parseInt(m.group(2)),
                                m.group(3), Integer.parseInt(m.group(4)), m.group(5), length, line));
                    } else {
                        unparsed.add(line);
                    }
                    packets.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // stream closed by close()
        } finally {
            stdoutClosed = true;
            synchronized (packets) {
                packets.notifyAll();
            }
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /**
     * Makes a marker connection on a fresh port and waits until tcpdump has printed it: after this,
     * every packet sent before the call is in {@link #packets()}.
     */
    public void sync() throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        int markerPort;
        try (ServerSocket marker = new ServerSocket(0, 1, loopback)) {
            markerPort = marker.getLocalPort();
            try (Socket client = new Socket(loopback, markerPort); Socket accepted = marker.accept()) {
                client.getOutputStream().flush();
                accepted.getOutputStream().flush();
            }
        }
        int port = markerPort;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        synchronized (packets) {
            while (packets.stream().noneMatch(p -> p.srcPort() == port || p.dstPort() == port)) {
                if (stdoutClosed) {
                    throw new IllegalStateException("tcpdump stopped before the marker connection on port "
                            + port + " was seen: " + stderrText());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("tcpdump never printed the marker connection on port "
                            + port + " (hang guard " + GUARD_SECONDS + " s)");
                }
                TimeUnit.NANOSECONDS.timedWait(packets, left);
            }
        }
    }

    /** Every packet captured so far, in capture order. */
    public List<Packet> packets() {
        synchronized (packets) {
            return List.copyOf(packets);
        }
    }

    /** The packets of the connection between the two ports, either direction, in capture order. */
    public List<Packet> connection(int portA, int portB) {
        return packets().stream().filter(p -> p.between(portA, portB)).collect(Collectors.toList());
    }

    public boolean sentFin(int fromPort, int toPort) {
        return packets().stream().anyMatch(p -> p.from(fromPort, toPort) && p.fin());
    }

    public boolean sentRst(int fromPort, int toPort) {
        return packets().stream().anyMatch(p -> p.from(fromPort, toPort) && p.rst());
    }

    public boolean any(Predicate<Packet> predicate) {
        return packets().stream().anyMatch(predicate);
    }

    /** The capture lines of one connection, for assertion messages. */
    public String describe(int portA, int portB) {
        List<Packet> conn = connection(portA, portB);
        if (conn.isEmpty()) {
            return "  (no packets between ports " + portA + " and " + portB + ")";
        }
        return conn.stream().map(p -> "  " + p.line()).collect(Collectors.joining("\n"));
    }

    /** Lines tcpdump printed that were not TCP segments (should be none with the "tcp" filter). */
    public List<String> unparsedLines() {
        synchronized (packets) {
            return List.copyOf(unparsed);
        }
    }

    /**
     * How many packets the kernel dropped before tcpdump could read them, from the statistics
     * tcpdump prints when it stops; -1 before {@link #close()} or when it printed none.
     */
    public long droppedByKernel() {
        synchronized (stderr) {
            for (String line : stderr) {
                Matcher m = DROPPED.matcher(line);
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
        }
        return -1;
    }

    @Override
    public void close() {
        // SIGTERM through the handle: Process.destroy() would also close our ends of its pipes
        // and lose the statistics tcpdump prints as it stops.
        tcpdump.toHandle().destroy();
        try {
            if (!tcpdump.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
                tcpdump.destroyForcibly();
                tcpdump.waitFor();
            }
            stdoutReader.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            stderrReader.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        } catch (InterruptedException e) {
            tcpdump.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
