package io.socketaudit.bench;

import java.io.Closeable;
import java.io.IOException;

/**
 * Calls made at a given stack depth, so that a stack captured inside them is really that deep: the JMH
 * benchmarks recurse here before closing, or before capturing a stack themselves.
 */
public final class Depth {

    private Depth() {
    }

    /** Frames on the calling thread's stack, the caller's own frame included. */
    public static int ofCaller() {
        return StackWalker.getInstance().walk(s -> (int) s.count()) - 1;
    }

    /**
     * The {@code n} for {@link #close} or {@link #run} called from a method {@code callerDepth} frames deep, so
     * that the method they call ({@code Socket.close()}, say) is frame number {@code target}: the stack inside
     * it, its own frame included, is {@code target} frames deep.
     */
    public static int recursionToCallAt(int target, int callerDepth) {
        return Math.max(0, target - callerDepth - 2);
    }

    /** The {@code n} for {@link #throwable} called from a method {@code callerDepth} frames deep, for a stack of {@code frames}. */
    public static int recursionToCapture(int frames, int callerDepth) {
        return Math.max(0, frames - callerDepth - 1);
    }

    /** Recurses {@code n} frames, then closes {@code c}: the close is called {@code n + 1} frames below the caller. */
    public static void close(int n, Closeable c) throws IOException {
        if (n > 0) {
            close(n - 1, c);
        } else {
            c.close();
        }
    }

    /** Recurses {@code n} frames, then captures a stack the way the agent does: an undecoded {@code Throwable}. */
    public static Throwable throwable(int n) {
        return n > 0 ? throwable(n - 1) : new Throwable();
    }

    /** Recurses {@code n} frames, then runs {@code r}. */
    public static void run(int n, Runnable r) {
        if (n > 0) {
            run(n - 1, r);
        } else {
            r.run();
        }
    }
}
