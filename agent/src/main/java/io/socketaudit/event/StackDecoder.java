package io.socketaudit.event;

import io.socketaudit.kernel.NativeLibrary;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns captured stacks into frames on the log writer's thread, decoding each distinct stack once.
 * {@code Throwable.getStackTrace()} makes an object and several strings per frame, which made it the
 * writer's largest cost; instead the writer reads the backtrace the JVM filled in (method numbers, bytecode
 * indexes, classes; through the agent's native library) and looks it up among the stacks it has decoded.
 * Without the library every stack is decoded. Bounded: past {@value #MAX_STACKS} stacks it starts again.
 * Used by one thread only.
 */
public final class StackDecoder {

    static final int MAX_STACKS = 4096;

    /** A stack as the classifier and the log need it, with the facts the classifier looks for in it. */
    static final class Decoded {
        final CapturedStack stack;
        final boolean underTlsSocket;
        final boolean insideThreadInterrupt;
        final boolean insideSocketStreamIo;

        Decoded(List<StackTraceElement> belowAgent, int depth) {
            this.stack = CapturedStack.of(belowAgent, depth);
            this.underTlsSocket = StackFrames.contains(belowAgent, "sun.security.ssl.SSLSocketImpl", null);
            this.insideThreadInterrupt = StackFrames.contains(belowAgent, "java.lang.Thread", "interrupt");
            this.insideSocketStreamIo = StackFrames.contains(belowAgent, "java.net.Socket$SocketInputStream", "read")
                    || StackFrames.contains(belowAgent, "java.net.Socket$SocketOutputStream", "write");
        }
    }

    private final int depth;
    private final Map<Backtrace, Decoded> stacks = new HashMap<>();
    private boolean backtracesReadable = true;

    public StackDecoder(int depth) {
        this.depth = depth;
    }

    Decoded decode(Throwable captured) {
        Object backtrace = backtrace(captured);
        if (backtrace == null) {
            return decodeNow(captured);
        }
        Backtrace key = new Backtrace(backtrace);
        Decoded decoded = stacks.get(key);
        if (decoded == null) {
            if (stacks.size() >= MAX_STACKS) {
                stacks.clear();
            }
            decoded = decodeNow(captured);
            stacks.put(key, decoded);
        }
        return decoded;
    }

    private Decoded decodeNow(Throwable captured) {
        return new Decoded(StackFrames.belowAgent(captured.getStackTrace()), depth);
    }

    private Object backtrace(Throwable captured) {
        if (!backtracesReadable || !NativeLibrary.isLoaded()) {
            return null;
        }
        try {
            return backtrace0(captured);
        } catch (LinkageError e) {
            backtracesReadable = false;
            return null;
        }
    }

    private static native Object backtrace0(Throwable t);

    /**
     * A backtrace as a map key. HotSpot's is a chain of arrays (method numbers, bytecode indexes with the
     * class version, classes, name symbols, the next chunk); it is compared by content, whatever its layout:
     * arrays element by element, anything else (a class) by its own equality, which for a class is identity.
     * Two stacks with the same content are the same frames. The hash takes only the numbers: they tell stacks
     * apart well enough, and hashing every class (what {@code Arrays.deepHashCode} does) was a tenth of the log
     * writer's time.
     */
    private static final class Backtrace {
        /** The backtrace inside a one-element array, so that {@code Arrays.deepEquals} takes any layout. */
        private final Object[] content;
        private final int hash;

        Backtrace(Object backtrace) {
            this.content = new Object[] {backtrace};
            this.hash = numbersHash(backtrace);
        }

        /** A hash of the primitive arrays in {@code node}, at any depth; other objects count as nothing. */
        private static int numbersHash(Object node) {
            if (node instanceof Object[] elements) {
                int h = 1;
                for (Object e : elements) {
                    h = 31 * h + (e == null ? 0 : numbersHash(e));
                }
                return h;
            }
            if (node instanceof short[] a) {
                return Arrays.hashCode(a);
            }
            if (node instanceof int[] a) {
                return Arrays.hashCode(a);
            }
            if (node instanceof long[] a) {
                return Arrays.hashCode(a);
            }
            if (node instanceof byte[] a) {
                return Arrays.hashCode(a);
            }
            return 0;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Backtrace b && b.hash == hash && Arrays.deepEquals(b.content, content);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
