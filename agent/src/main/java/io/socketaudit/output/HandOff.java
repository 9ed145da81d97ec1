package io.socketaudit.output;

import io.socketaudit.event.Captured;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded queue between the application's threads and the log writer. Adding never blocks and never
 * wakes the writer: waking a parked thread is a system call that cost the closing thread about 5 µs (more
 * than the rest of the hand-off), so the writer looks for work on its own schedule instead.
 */
final class HandOff {

    private final ConcurrentLinkedQueue<Captured> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    HandOff(int capacity) {
        this.capacity = capacity;
    }

    /** Adds the event, or returns false when the queue is full. */
    boolean offer(Captured event) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        items.add(event);
        return true;
    }

    /** Moves at most {@code max} events into {@code batch}; returns how many. */
    int drainTo(List<Captured> batch, int max) {
        int moved = 0;
        for (Captured event; moved < max && (event = items.poll()) != null; moved++) {
            batch.add(event);
        }
        size.addAndGet(-moved);
        return moved;
    }
}
