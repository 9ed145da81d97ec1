package io.socketaudit.event;

import java.util.List;

/**
 * A captured stack as the log writer needs it: compared and hashed by its frames as the JVM decoded them
 * (whose strings the JVM shares, so this is cheap), and turned into text only the first time it is seen.
 * Holds the frames up to the configured depth, or down to the caller when that lies deeper, so that two
 * stacks that differ only in their caller are not taken for one.
 */
public final class CapturedStack {

    private static final CapturedStack EMPTY = new CapturedStack(List.of(), 0);

    private final List<StackTraceElement> frames;
    private final int depth;
    /** Computed once: the writer looks the same stack up for every event it is decoded for. */
    private final int hash;

    private CapturedStack(List<StackTraceElement> frames, int depth) {
        this.frames = frames;
        this.depth = depth;
        this.hash = frames.hashCode();
    }

    /** The frames below the agent's own, with the configured depth. */
    static CapturedStack of(List<StackTraceElement> belowAgent, int depth) {
        int callerIndex = StackFrames.callerIndex(belowAgent);
        int kept = Math.min(belowAgent.size(), Math.max(depth, callerIndex + 1));
        return new CapturedStack(belowAgent.subList(0, kept), depth);
    }

    public static CapturedStack empty() {
        return EMPTY;
    }

    public boolean isEmpty() {
        return frames.isEmpty();
    }

    /** The first frame outside the JDK, {@code Class.method(File.java:line)}; {@code null} if none. */
    public String caller() {
        return StackFrames.caller(frames);
    }

    /** The frames as text, innermost first, at most the configured depth. */
    public List<String> text() {
        return StackFrames.format(frames, depth);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CapturedStack s && s.hash == hash && s.depth == depth && s.frames.equals(frames);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
