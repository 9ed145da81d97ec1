package io.socketaudit.output;

import io.socketaudit.event.Captured;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The bounded queue between the application's threads and the log writer. Adding never blocks and never
 * wakes the writer: waking a thread parked in the queue is a system call that cost the closing thread about
 * 5 µs (more than the rest of the hand-off), so the writer never waits in the queue; it looks for work on its
 * own schedule instead, and an offer finds no one to signal.
 */
final class HandOff {

    private final ArrayBlockingQueue<Captured> items;

    HandOff(int capacity) {
        this.items = new ArrayBlockingQueue<>(capacity);
    }

    /** Adds the event, or returns false when the queue is full. */
    boolean offer(Captured event) {
        return items.offer(event);
    }

    /** Moves at most {@code max} events into {@code batch}, without waiting; returns how many. */
    int drainTo(List<Captured> batch, int max) {
        return items.drainTo(batch, max);
    }
}
