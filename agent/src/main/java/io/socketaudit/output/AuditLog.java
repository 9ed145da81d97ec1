package io.socketaudit.output;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.event.Clock;
import io.socketaudit.event.Captured;
import io.socketaudit.event.CloseEvent;
import io.socketaudit.event.EventFinisher;
import io.socketaudit.event.FinishedEvent;
import io.socketaudit.event.OpenEvent;
import io.socketaudit.logformat.Value;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The hand-off between the application's threads and the disk. Application threads only
 * {@link #submit} into a bounded queue, which never blocks: when it is full the event is counted as
 * dropped, and the writer reports the count with a {@code dropped} line as soon as it can. One daemon
 * thread has each event finished (by {@link EventFinisher}: stacks decoded, closes classified) and writes it,
 * and also reports the connections the garbage collector found unclosed ({@code leak}) and, when the JVM
 * exits, those still open ({@code open_at_exit}).
 */
public final class AuditLog {

    private static final int BATCH = 4096;
    /**
     * After a batch the writer looks for work again this much later, and then less and less often down to the
     * maximum: application threads do not wake it (see {@link #submit}), so this bounds how late a line is
     * written. Not sooner: each wake-up finds the writer's code and data cold, and a few events per wake-up
     * cost several times what a hundred do.
     */
    private static final long MIN_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final EventQueue<Captured> queue;
    /** The queue length at which the submitting thread wakes a sleeping writer, long before the queue is full. */
    private final int wakeAt;
    private final EventFinisher events;
    private final LogFile file;
    private final long pid;
    private LogWriter writer;
    private final AgentErrors errors;
    /** Events the application's threads could not queue (it was full, or the writer had stopped). */
    private final AtomicLong dropped = new AtomicLong();
    /** Events the writer could not write (the disk was full, the directory gone, an event could not be prepared). */
    private long lost;
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private volatile String stopReason = "shutdown";
    private volatile boolean reportOpenAtStop;
    /** Losses counted in {@code dropped} lines handed to the file, and in those it has written. */
    private long droppedReported;
    private long lostReported;
    private long droppedOnDisk;
    private long lostOnDisk;
    /** The log cannot be written: events are counted as lost until {@link #retryAtNanos}, then writing is tried again. */
    private boolean failing;
    private long retryAtNanos;
    private long retryDelayNanos = LogWriter.RETRY_MIN_NANOS;
    private boolean rotationFailing;
    /** Each kind of failure is said on stderr once; later ones are counted in the log. */
    private boolean writeFailureSaid;
    private boolean rotationFailureSaid;
    private long bridgeFailuresReported;
    private long bridgeFailuresOnDisk;
    /** Failures taken from {@link #errors} whose lines are not known to be on disk yet, and how many of them are handed over. */
    private final List<AgentErrors.Report> errorsNotOnDisk = new ArrayList<>();
    private int errorsHandedOver;

    /**
     * Opens (creates) the log file, so that a path that cannot be written is known at once; writes nothing yet.
     *
     * @param gzip whether the log is a gzip stream ({@code path} should then end in {@code .gz})
     */
    public AuditLog(Path path, long rotateSize, int rotateKeep, boolean gzip, int queueSize, long pid,
                    EventFinisher events, AgentErrors errors) throws IOException {
        this.events = events;
        this.file = new LogFile(path, rotateSize, rotateKeep, gzip);
        file.open();
        this.pid = pid;
        this.queue = new EventQueue<>(queueSize);
        this.wakeAt = Math.max(1, queueSize / 4);
        this.errors = errors;
        this.thread = new Thread(this::run, "socket-audit-writer");
        thread.setDaemon(true);
    }

    /**
     * Writes the {@code agent_start} line and starts the writer thread; until then events wait in the queue.
     *
     * @param startFields the fields of the {@code agent_start} line, in order
     */
    public synchronized void startWriting(Map<String, Object> startFields) throws IOException {
        LogWriter w = new LogWriter(file, pid, startFields, this::written);
        w.start();
        w.flush();
        writer = w;
        thread.start();
    }

    /**
     * Called on application threads: hands the event over, or counts it as dropped. Never blocks, takes no
     * lock, and does not wake the writer: waking a parked thread is a system call that cost the closing thread
     * about 5 µs, more than the rest of the hand-off. Only the event that fills a quarter of the queue wakes it,
     * so that a burst cannot fill the queue while the writer sleeps.
     */
    public boolean submit(Captured event) {
        long queuedBefore = accepting ? queue.offer(event) : -1;
        if (queuedBefore >= 0) {
            if (queuedBefore + 1 == wakeAt) {
                LockSupport.unpark(thread);
            }
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /**
     * Stops accepting events, writes what is queued, an {@code open_at_exit} line per connection still open
     * when {@code jvmExit}, the closing {@code agent_stop} line, and closes the file. Waits at most
     * {@code timeoutMillis} for the writer, so a stuck disk cannot hold up exit.
     */
    public void stop(String reason, boolean jvmExit, long timeoutMillis) {
        accepting = false;
        stopReason = reason;
        reportOpenAtStop = jvmExit;
        stopping = true;
        synchronized (this) {
            if (writer == null) {
                return; // never started writing: nothing was written and nothing can be
            }
        }
        // Unparked, not interrupted: an interrupt would close the log's channel under the writer.
        LockSupport.unpark(thread);
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
        List<Captured> batch = new ArrayList<>(BATCH);
        long idleNanos = MIN_IDLE_NANOS;
        while (!stopping) {
            int drained = queue.drainTo(batch, BATCH);
            write(batch);
            batch.clear();
            if (drained < BATCH) {
                // stop() unparks it; failures and leaks are still reported while idle.
                LockSupport.parkNanos(this, idleNanos);
                idleNanos = drained > 0 ? MIN_IDLE_NANOS : Math.min(2 * idleNanos, MAX_IDLE_NANOS);
            }
        }
        retryAtNanos = System.nanoTime(); // at the end, one more attempt whatever the pause
        while (queue.drainTo(batch, BATCH) > 0) {
            write(batch);
            batch.clear();
        }
        // An event offered while the last lines were written stays behind: it is lost, and counted so.
        dropped.addAndGet(queue.size());
        try {
            writer.useRoomForLastLines();
            writer.repairIfDamaged();
            reportLossesAndFailures();
            reportLeaks(true);
            if (reportOpenAtStop) {
                for (OpenEvent open : events.openAtExit()) {
                    writer.writeUnclosed(open, null);
                }
            }
            writer.writeStop(stopReason, dropped.get() + lost, totalErrors());
            writer.close();
        } catch (IOException | RuntimeException e) {
            lost += writer.takeLost();
            warn(String.join("", "the audit log ", writer.path().toString(), " could not be closed (", e.toString(),
                    "): ", Long.toString(dropped.get() + lost), " events in all were not written to it"));
        }
    }

    /**
     * Writes a batch, or counts it as lost while the log cannot be written. A failed write loses the lines waiting
     * for the file and the rest of the batch, all counted; writing is tried again after a pause that doubles with
     * each failure, and a {@code dropped} line with reason {@code write-failed} says how many were lost.
     */
    private void write(List<Captured> batch) {
        if (failing && System.nanoTime() - retryAtNanos < 0) {
            lost += batch.size();
            return;
        }
        int prepared = 0;
        try {
            writer.repairIfDamaged();
            reportLossesAndFailures();
            for (int i = 0; i < batch.size(); i++) { // indexed: an idle writer allocates nothing
                Captured captured = batch.get(i);
                try {
                    FinishedEvent finished = events.finish(captured);
                    if (finished instanceof CloseEvent close) {
                        writer.writeClose(close);
                    } else {
                        events.openWritten(captured, writer.writeOpen((OpenEvent) finished));
                    }
                } catch (RuntimeException e) {
                    lost++;
                    errors.record("preparing an event", e);
                }
                prepared = i + 1;
                afterEvent();
            }
            if (batch.isEmpty()) {
                afterEvent(); // an idle writer retries a rotation that failed
            }
            reportLossesAndFailures();
            reportLeaks(false);
            writer.flush();
        } catch (IOException | RuntimeException e) {
            lost += batch.size() - prepared;
            writeFailed(e);
        }
    }

    /** Flushes a full buffer and rotates a full file; a rotation that fails leaves the log in the file it was. */
    private void afterEvent() throws IOException {
        try {
            if (writer.afterEvent()) {
                rotationFailing = false;
            }
        } catch (LogFile.RotationException e) {
            if (!rotationFailing) {
                rotationFailing = true;
                errors.record("rotating the log", e);
                if (!rotationFailureSaid) {
                    rotationFailureSaid = true;
                    warn(e.getMessage() + "; later failures are only counted in the log");
                }
            }
        }
    }

    /** The lines handed to the file are in it, the loss counts and failures in them too (also in mid-batch). */
    private void written() {
        droppedOnDisk = droppedReported;
        lostOnDisk = lostReported;
        bridgeFailuresOnDisk = bridgeFailuresReported;
        errorsNotOnDisk.clear();
        errorsHandedOver = 0;
        failing = false;
        retryDelayNanos = LogWriter.RETRY_MIN_NANOS;
    }

    /** A write failed: what it lost is counted, and reported once per spell of failures. */
    private void writeFailed(Exception e) {
        lost += writer.takeLost();
        // The lines that report losses and failures were lost with the rest: they are written again.
        droppedReported = droppedOnDisk;
        lostReported = lostOnDisk;
        bridgeFailuresReported = bridgeFailuresOnDisk;
        errorsHandedOver = 0;
        if (failing) {
            retryDelayNanos = Math.min(2 * retryDelayNanos, LogWriter.RETRY_MAX_NANOS);
        } else {
            failing = true;
            errors.record("writing the log", e);
            if (!writeFailureSaid) {
                writeFailureSaid = true;
                warn(String.join("", "cannot write the audit log ", writer.path().toString(), " (", e.toString(),
                        "); events are counted as lost until it can be written again, later failures only in the log"));
            }
        }
        retryAtNanos = System.nanoTime() + retryDelayNanos;
    }

    private static void warn(String problem) {
        System.err.println(String.join("", "socket-audit: ", problem));
    }

    private void reportLossesAndFailures() throws IOException {
        long droppedNow = dropped.get();
        if (droppedNow > droppedReported) {
            writer.writeDropped(droppedNow - droppedReported, Value.DROPPED_QUEUE_FULL);
            droppedReported = droppedNow;
        }
        if (lost > lostReported) {
            writer.writeDropped(lost - lostReported, Value.DROPPED_WRITE_FAILED);
            lostReported = lost;
        }
        long bridgeFailures = SocketBridge.failures();
        if (bridgeFailures > bridgeFailuresReported) {
            bridgeFailuresReported = bridgeFailures;
            writer.writeError(new AgentErrors.Report(Clock.nowMicros(), "close path",
                    String.valueOf(SocketBridge.firstFailure()), bridgeFailures));
        }
        for (AgentErrors.Report report; (report = errors.poll()) != null; ) {
            errorsNotOnDisk.add(report);
        }
        for (; errorsHandedOver < errorsNotOnDisk.size(); errorsHandedOver++) {
            writer.writeError(errorsNotOnDisk.get(errorsHandedOver));
        }
    }

    /** Writes a {@code leak} line for each connection found unclosed whose open line is written; {@code last}: all. */
    private void reportLeaks(boolean last) throws IOException {
        for (OpenEvent leak : events.leaks(last)) {
            writer.writeUnclosed(leak, Value.CAUSE_GC);
        }
    }

    private long totalErrors() {
        return errors.count() + SocketBridge.failures();
    }
}
