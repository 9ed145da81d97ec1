package io.socketaudit.output;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The hand-off from the application's threads to the log writer: a bounded ring of slots that any number of
 * threads offer to and one thread drains. Offering takes no lock and never waits: a thread claims a slot with
 * one compare-and-set on the tail and publishes its event into it; when the ring holds {@code capacity} events
 * the offer fails at once. A lock shared by every closing thread is what a service with many threads on few
 * cores pays for most: a thread preempted while holding it stalls all the others.
 */
final class EventQueue<E> {

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(EventQueue.class, "tail", long.class);
            HEAD = lookup.findVarHandle(EventQueue.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object[] slots;
    private final int mask;
    private final int capacity;
    /** The next slot to claim; only ever grows. */
    private volatile long tail;
    /** The next slot to drain, written by the draining thread only. */
    private volatile long head;

    EventQueue(int capacity) {
        if (capacity < 1 || capacity > 1 << 30) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        int length = Integer.highestOneBit(capacity);
        if (length < capacity) {
            length <<= 1;
        }
        this.slots = new Object[length];
        this.mask = length - 1;
    }

    /**
     * Adds the event unless the queue is full.
     *
     * @return the number of events queued before this one (0 and up), or -1 when it was full
     */
    long offer(E event) {
        long claimed;
        long queued;
        do {
            claimed = tail;
            queued = claimed - head;
            if (queued >= capacity) {
                return -1;
            }
        } while (!TAIL.weakCompareAndSet(this, claimed, claimed + 1));
        SLOTS.setRelease(slots, (int) (claimed & mask), event);
        return queued;
    }

    /**
     * Moves up to {@code max} events, in order, into {@code into}. Stops early at a slot that was claimed but whose
     * event is not published yet: it follows at the next call. Only one thread may drain.
     *
     * @return how many were moved
     */
    @SuppressWarnings("unchecked")
    int drainTo(List<? super E> into, int max) {
        long h = head;
        int moved = 0;
        while (moved < max) {
            int index = (int) (h & mask);
            Object event = SLOTS.getAcquire(slots, index);
            if (event == null) {
                break;
            }
            SLOTS.setRelease(slots, index, null);
            into.add((E) event);
            h++;
            moved++;
        }
        if (moved > 0) {
            HEAD.setRelease(this, h);
        }
        return moved;
    }

    /** How many events are queued or being published. */
    long size() {
        return tail - head;
    }
}
