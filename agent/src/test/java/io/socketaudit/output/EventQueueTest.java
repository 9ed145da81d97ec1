package io.socketaudit.output;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventQueueTest {

    @Test
    void holdsExactlyItsCapacityAndKeepsOrder() {
        EventQueue<Integer> queue = new EventQueue<>(5); // not a power of two: the bound is still 5
        for (int i = 0; i < 5; i++) {
            assertEquals(i, queue.offer(i));
        }
        assertEquals(-1, queue.offer(99));
        assertEquals(5, queue.size());
        List<Integer> out = new ArrayList<>();
        assertEquals(3, queue.drainTo(out, 3));
        assertEquals(List.of(0, 1, 2), out);
        assertEquals(2, queue.offer(5));
        assertEquals(3, queue.offer(6));
        assertEquals(4, queue.offer(7));
        assertEquals(-1, queue.offer(8));
        out.clear();
        assertEquals(5, queue.drainTo(out, 100));
        assertEquals(List.of(3, 4, 5, 6, 7), out);
        assertEquals(0, queue.drainTo(out, 100));
        assertEquals(0, queue.size());
    }

    /** Many threads offering while one drains: every event is either taken once, in each thread's order, or refused. */
    @Test
    void concurrentOffersAreEachTakenOnceOrRefused() throws Exception {
        int threads = 8;
        int perThread = 50_000;
        EventQueue<long[]> queue = new EventQueue<>(1024);
        AtomicLong refused = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch producersDone = new CountDownLatch(threads);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread producer = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    if (queue.offer(new long[] {id, i}) < 0) {
                        refused.incrementAndGet();
                    }
                }
                producersDone.countDown();
            });
            producer.start();
            producers.add(producer);
        }
        long[] lastSeen = new long[threads];
        java.util.Arrays.fill(lastSeen, -1);
        long taken = 0;
        List<long[]> batch = new ArrayList<>();
        start.countDown();
        while (producersDone.getCount() > 0 || queue.size() > 0) {
            batch.clear();
            queue.drainTo(batch, 100);
            for (long[] event : batch) {
                int id = (int) event[0];
                assertTrue(event[1] > lastSeen[id], "thread " + id + " out of order");
                lastSeen[id] = event[1];
                taken++;
            }
        }
        for (Thread producer : producers) {
            producer.join();
        }
        assertEquals((long) threads * perThread, taken + refused.get());
    }
}
