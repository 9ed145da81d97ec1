package io.socketaudit.event;

import java.io.FileDescriptor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives each connection its per-process id and remembers, between a shutdown and the close that follows,
 * which side sent the first FIN. Only connections that were shut down and not yet closed are held, weakly
 * (keyed by the JDK's descriptor object), so a socket the application drops is not kept alive by us.
 */
final class Connections {

    static final class State {
        final long id;
        volatile String initiator;

        State(long id) {
            this.id = id;
        }
    }

    private final AtomicLong lastId = new AtomicLong();
    private final Map<FileDescriptor, State> shutDown = Collections.synchronizedMap(new WeakHashMap<>());

    /** The connection a shutdown belongs to; kept until its close. */
    State onShutdown(FileDescriptor fd) {
        return shutDown.computeIfAbsent(fd, k -> new State(lastId.incrementAndGet()));
    }

    /** The connection a close belongs to; forgotten from here on. */
    State onClose(FileDescriptor fd) {
        State state = shutDown.isEmpty() ? null : shutDown.remove(fd);
        return state != null ? state : new State(lastId.incrementAndGet());
    }

    int tracked() {
        return shutDown.size();
    }
}
