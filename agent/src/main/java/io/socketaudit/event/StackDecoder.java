package io.socketaudit.event;

import io.socketaudit.kernel.KernelProbe;

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
        if (!backtracesReadable || !KernelProbe.isLoaded()) {
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
     * arrays element by element, anything else (a class) by identity. Two stacks with the same content are
     * the same frames.
     */
    private static final class Backtrace {
        private final Object content;
        private final int hash;

        Backtrace(Object content) {
            this.content = content;
            this.hash = hash(content);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Backtrace b && b.hash == hash && same(b.content, content);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        private static int hash(Object o) {
            if (o instanceof Object[] a) {
                int h = 1;
                for (Object e : a) {
                    h = 31 * h + hash(e);
                }
                return h;
            }
            if (o instanceof short[] a) {
                return Arrays.hashCode(a);
            }
            if (o instanceof int[] a) {
                return Arrays.hashCode(a);
            }
            if (o instanceof long[] a) {
                return Arrays.hashCode(a);
            }
            if (o instanceof byte[] a) {
                return Arrays.hashCode(a);
            }
            if (o instanceof boolean[] a) {
                return Arrays.hashCode(a);
            }
            if (o instanceof char[] a) {
                return Arrays.hashCode(a);
            }
            return System.identityHashCode(o);
        }

        private static boolean same(Object a, Object b) {
            if (a == b) {
                return true;
            }
            if (a instanceof Object[] x && b instanceof Object[] y) {
                if (x.length != y.length) {
                    return false;
                }
                for (int i = 0; i < x.length; i++) {
                    if (!same(x[i], y[i])) {
                        return false;
                    }
                }
                return true;
            }
            if (a instanceof short[] x && b instanceof short[] y) {
                return Arrays.equals(x, y);
            }
            if (a instanceof int[] x && b instanceof int[] y) {
                return Arrays.equals(x, y);
            }
            if (a instanceof long[] x && b instanceof long[] y) {
                return Arrays.equals(x, y);
            }
            if (a instanceof byte[] x && b instanceof byte[] y) {
                return Arrays.equals(x, y);
            }
            if (a instanceof boolean[] x && b instanceof boolean[] y) {
                return Arrays.equals(x, y);
            }
            return a instanceof char[] x && b instanceof char[] y && Arrays.equals(x, y);
        }
    }
}
