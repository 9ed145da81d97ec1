package io.socketaudit.demo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A thread blocked reading a channel whose peer sends nothing, until something closes the channel. */
final class BlockedReader {

    private static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Thread thread;
    private final FutureTask<Throwable> outcome;

    private BlockedReader(Thread thread, FutureTask<Throwable> outcome) {
        this.thread = thread;
        this.outcome = outcome;
    }

    static BlockedReader start(SocketChannel channel, String threadName) {
        FutureTask<Throwable> outcome = new FutureTask<>(() -> readUntilChannelIsClosed(channel));
        Thread thread = new Thread(outcome, threadName);
        thread.start();
        return new BlockedReader(thread, outcome);
    }

    private static Throwable readUntilChannelIsClosed(SocketChannel channel) {
        try {
            int n = channel.read(ByteBuffer.allocate(64));
            return new IllegalStateException("the read returned " + n + " instead of blocking");
        } catch (IOException e) {
            return e;
        }
    }

    Thread thread() {
        return thread;
    }

    /**
     * Waits until the thread is inside the native read. Before that point an interrupt or a
     * close would be noticed on the way in, which is a different story from the one to show.
     */
    void awaitBlockedInRead() {
        long deadline = System.nanoTime() + STUCK_NANOS;
        while (!isInNativeChannelRead(thread.getStackTrace())) {
            if (!thread.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(thread.getName() + " never blocked in read");
            }
            Thread.onSpinWait();
        }
    }

    private static boolean isInNativeChannelRead(StackTraceElement[] stack) {
        return stack.length > 0 && stack[0].isNativeMethod()
                && Arrays.stream(stack).anyMatch(f -> f.getClassName().equals("sun.nio.ch.IOUtil") && f.getMethodName().equals("read"));
    }

    /** What the read ended with, once the thread has finished. */
    Throwable failure() throws InterruptedException, ExecutionException, TimeoutException {
        return outcome.get(STUCK_NANOS, TimeUnit.NANOSECONDS);
    }
}
