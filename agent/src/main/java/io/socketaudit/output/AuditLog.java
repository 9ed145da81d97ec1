package io.socketaudit.output;

import io.socketaudit.bootstrap.CloseBridge;
import io.socketaudit.event.Clock;
import io.socketaudit.event.CloseClassifier;
import io.socketaudit.event.PendingClose;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hand-off between the application's threads and the disk. Application threads only
 * {@link #submit} into a bounded queue, which never blocks: when it is full the event is counted as
 * dropped, and the writer reports the count with a {@code dropped} line as soon as it can. One daemon
 * thread decodes, classifies and writes.
 */
public final class AuditLog {

    private static final int BATCH = 4096;
    /** How often an idle writer looks for failures and losses to report. */
    private static final long IDLE_POLL_MILLIS = 200;

    private final BlockingQueue<PendingClose> queue;
    private final LogWriter writer;
    private final AgentErrors errors;
    private final int stackDepth;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private volatile String stopReason = "shutdown";
    private long droppedReported;
    private long bridgeFailuresReported;

    /**
     * Opens the log file and writes its first line; throws when the file cannot be written.
     *
     * @param startFields the fields of the {@code agent_start} line, in order
     */
    public AuditLog(Path path, long rotateSize, int rotateKeep, int queueSize, int stackDepth,
                    long pid, Map<String, Object> startFields, AgentErrors errors) throws IOException {
        LogFile file = new LogFile(path, rotateSize, rotateKeep);
        file.open();
        this.writer = new LogWriter(file, pid, startFields);
        writer.start();
        writer.flush();
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.errors = errors;
        this.stackDepth = stackDepth;
        this.thread = new Thread(this::run, "socket-audit-writer");
        thread.setDaemon(true);
    }

    public void startWriting() {
        thread.start();
    }

    /** Called on application threads: hands the event over, or counts it as dropped. Never blocks. */
    public void submit(PendingClose event) {
        if (!accepting || !queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /**
     * Stops accepting events, writes what is queued and the closing {@code agent_stop} line, and closes
     * the file. Waits at most {@code timeoutMillis} for the writer, so a stuck disk cannot hold up exit.
     */
    public void stop(String reason, long timeoutMillis) {
        accepting = false;
        stopReason = reason;
        stopping = true;
        thread.interrupt();
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long dropped() {
        return dropped.get();
    }

    private void run() {
        List<PendingClose> batch = new ArrayList<>(BATCH);
        while (!stopping) {
            try {
                PendingClose first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
            } catch (InterruptedException e) {
                if (!stopping) {
                    continue;
                }
            }
            write(batch);
            batch.clear();
        }
        queue.drainTo(batch);
        write(batch);
        try {
            writer.writeStop(stopReason, dropped.get(), totalErrors());
            writer.close();
        } catch (IOException | RuntimeException e) {
            errors.record("closing the log", e);
        }
    }

    private void write(List<PendingClose> batch) {
        try {
            reportLossesAndFailures();
            for (PendingClose pending : batch) {
                try {
                    writer.writeEvent(CloseClassifier.classify(pending, stackDepth));
                    writer.rotateIfFull();
                } catch (IOException e) {
                    dropped.incrementAndGet();
                    errors.record("writing the log", e);
                } catch (RuntimeException e) {
                    dropped.incrementAndGet();
                    errors.record("preparing an event", e);
                }
            }
            reportLossesAndFailures();
            writer.flush();
        } catch (IOException | RuntimeException e) {
            errors.record("writing the log", e);
        }
    }

    private void reportLossesAndFailures() throws IOException {
        long droppedNow = dropped.get();
        if (droppedNow > droppedReported) {
            writer.writeDropped(droppedNow - droppedReported);
            droppedReported = droppedNow;
        }
        long bridgeFailures = CloseBridge.failures();
        if (bridgeFailures > bridgeFailuresReported) {
            bridgeFailuresReported = bridgeFailures;
            writer.writeError(new AgentErrors.Report(Clock.nowMicros(), "close path",
                    String.valueOf(CloseBridge.firstFailure()), bridgeFailures));
        }
        for (AgentErrors.Report report; (report = errors.poll()) != null; ) {
            writer.writeError(report);
        }
    }

    private long totalErrors() {
        return errors.count() + CloseBridge.failures();
    }
}
