package io.socketaudit.e2e.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Collects the lines of a child's stream in a background thread. */
final class ChildLines {
    record Found(int index, String line) {
    }

    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private boolean closed;

    ChildLines(InputStream in, String name) {
        reader = new Thread(() -> read(in), name);
        reader.setDaemon(true);
        reader.start();
    }

    private void read(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // the child is gone
        } finally {
            synchronized (this) {
                closed = true;
                notifyAll();
            }
        }
    }

    synchronized Found await(int from, Predicate<String> matching, long guardSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(guardSeconds);
        int seen = from;
        while (true) {
            for (; seen < lines.size(); seen++) {
                if (matching.test(lines.get(seen))) {
                    return new Found(seen, lines.get(seen));
                }
            }
            long left = deadline - System.nanoTime();
            if (closed || left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    void join() throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(AgentJvm.HANG_GUARD_SECONDS));
    }

    synchronized List<String> snapshot() {
        return List.copyOf(lines);
    }
}
