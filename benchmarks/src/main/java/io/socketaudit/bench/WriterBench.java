package io.socketaudit.bench;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.event.Captured;
import io.socketaudit.event.EventFinisher;
import io.socketaudit.event.OpenConnections;
import io.socketaudit.event.PendingClose;
import io.socketaudit.event.SocketEventRecorder;
import io.socketaudit.kernel.JdkSocketFields;
import io.socketaudit.output.AgentErrors;
import io.socketaudit.output.AuditLog;
import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log writer alone, fed by the agent's own {@code SocketEventRecorder} and {@code AuditLog} (the agent jar on
 * the class path, not attached). Close events are captured first, on this thread, as the agent captures them
 * (kernel query of a real loopback socket, undecoded stack from one of two call sites ~{@code depth} frames
 * deep, like the two ends in the churn benchmark); then they are handed to the log:
 * <ul>
 *   <li>{@code drain}: all at once into a queue big enough for all of them, timing until the writer has
 *   written the last one and closed the file: the writer's sustained rate with nothing dropped;</li>
 *   <li>{@code paced}: at a fixed rate into a queue of {@code queueSize} (the default 65,536), counting drops.</li>
 * </ul>
 * Prints events, seconds, events/s, what the {@code agent_stop} line says, and the bytes written (on disk:
 * compressed with {@code gzip}).
 *
 * <p>Arguments: {@code drain|paced events ratePerSecond queueSize stackDepth directory [none|gzip]}, the last
 * one the log's {@code compress} setting ({@code none} when left out).
 */
public final class WriterBench {

    private static final int CALL_DEPTH = 24;

    private WriterBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int events = Integer.parseInt(args[1]);
        double rate = Double.parseDouble(args[2]);
        int queueSize = Integer.parseInt(args[3]);
        int stackDepth = Integer.parseInt(args[4]);
        Path dir = Path.of(args[5]);
        boolean gzip = args.length > 6 && args[6].equals("gzip");
        Files.createDirectories(dir);
        Path file = dir.resolve(gzip ? "writer.jsonl.gz" : "writer.jsonl");

        AgentParts.loadKernelProbe();
        int socketApi = SocketBridge.SOCKET;
        int close = SocketBridge.CLOSE;
        int connect = SocketBridge.CONNECT;

        OpenConnections connections = new OpenConnections();
        List<Captured> captured = new ArrayList<>(events);
        SocketEventRecorder recorder = new SocketEventRecorder(connections, e -> {
            if (e instanceof PendingClose) {
                captured.add(e);
            }
            return true;
        });
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket()) {
                client.connect(listener.getLocalSocketAddress());
                try (Socket server = listener.accept()) {
                    FileDescriptor fd = JdkSocketFields.socketFd(client);
                    InetAddress remote = InetAddress.getLoopbackAddress();
                    int port = listener.getLocalPort();
                    for (int i = 0; i < events; i++) {
                        Object owner = new Object();
                        recorder.opened(socketApi, connect, owner, fd, null, remote, port);
                        if ((i & 1) == 0) {
                            clientSide(CALL_DEPTH, recorder, socketApi, close, owner, fd, remote, port);
                        } else {
                            serverSide(CALL_DEPTH, recorder, socketApi, close, owner, fd, remote, port);
                        }
                    }
                }
            }
        }
        if (captured.size() != events) {
            throw new IllegalStateException("captured " + captured.size() + " closes, expected " + events);
        }

        Map<String, Object> start = new LinkedHashMap<>();
        start.put("agentVersion", "benchmark");
        start.put("benchmark", "writer-" + mode);
        AuditLog log = new AuditLog(file, 100L << 20, 5, gzip, queueSize, ProcessHandle.current().pid(),
                new EventFinisher(connections, stackDepth), new AgentErrors());
        log.startWriting(start);
        long t0 = System.nanoTime();
        if (mode.equals("drain")) {
            for (Captured e : captured) {
                log.submit(e);
            }
        } else {
            double interval = 1e9 / rate;
            for (int i = 0; i < events; i++) {
                long due = t0 + (long) (i * interval);
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                log.submit(captured.get(i));
            }
        }
        long submitted = System.nanoTime();
        log.stop("benchmark", false, 600_000);
        long t1 = System.nanoTime();

        LogScan written = LogScan.of(dir, "writer.jsonl");
        double seconds = (t1 - t0) / 1e9;
        Results.print("mode", mode, "compress", gzip ? "gzip" : "none", "events", events, "seconds", seconds,
                "rate", events / seconds, "offeredRate", events / ((submitted - t0) / 1e9),
                "eventsWritten", written.eventsWritten(), "dropped", written.dropped(),
                "closeLines", written.closeLines(), "stackLines", written.stackLines(), "bytes", written.bytes(),
                "bytesPerEvent", (double) written.bytes() / (written.eventsWritten() > 0 ? written.eventsWritten() : events));
    }

    private static void clientSide(int depth, SocketEventRecorder r, int api, int op, Object owner,
                                   FileDescriptor fd, InetAddress remote, int port) {
        if (depth > 0) {
            clientSide(depth - 1, r, api, op, owner, fd, remote, port);
        } else {
            AgentParts.close(r, api, op, owner, fd, remote, port);
        }
    }

    private static void serverSide(int depth, SocketEventRecorder r, int api, int op, Object owner,
                                   FileDescriptor fd, InetAddress remote, int port) {
        if (depth > 0) {
            serverSide(depth - 1, r, api, op, owner, fd, remote, port);
        } else {
            AgentParts.close(r, api, op, owner, fd, remote, port);
        }
    }
}
