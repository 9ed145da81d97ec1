package io.socketaudit.output;

import io.socketaudit.event.Clock;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failures inside the agent, caught wherever they happen and written to the log by the writer thread.
 * Every failure is counted; the first {@value #DETAILED} are kept with their message, so that a failure
 * repeated on every close cannot grow memory.
 */
public final class AgentErrors {

    static final int DETAILED = 100;

    record Report(long timeMicros, String where, String error, long count) {
    }

    private final AtomicLong count = new AtomicLong();
    private final AtomicInteger detailed = new AtomicInteger();
    private final Queue<Report> unwritten = new ConcurrentLinkedQueue<>();

    public void record(String where, Throwable error) {
        long n = count.incrementAndGet();
        if (detailed.getAndIncrement() < DETAILED) {
            unwritten.add(new Report(Clock.nowMicros(), where, String.valueOf(error), n));
        }
    }

    public long count() {
        return count.get();
    }

    Report poll() {
        return unwritten.poll();
    }
}
