package io.socketaudit.event;

import io.socketaudit.kernel.TcpSnapshot;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connections the agent knows to be open, keyed weakly by the JDK object that owns each descriptor, so
 * that the agent never keeps a socket alive. A close removes its entry; an entry whose owner the garbage
 * collector found unreachable first is a leak. Each entry is a few dozen bytes and holds only references to
 * objects the socket owns anyway (its addresses), or the kernel's encoding of an address it lacks.
 */
public final class OpenConnections {

    /** Opened before the agent was attached (or its open was not seen): {@link Connection#how}. */
    public static final int OPEN_UNKNOWN = -1;

    /** One connection's identity and what its later events need to know. */
    public static final class Connection {
        final long id;
        final int api;
        final int how;
        /** When it was established, in microseconds since the epoch; 0 when unknown. */
        final long openedAtMicros;
        final Object local;
        final Object remote;
        final int remotePort;
        /** The kernel's encoding of the addresses, where the JDK did not hold them; see TcpSnapshot. */
        byte[] kernelAddresses;
        /** The opening stack's id in the log, set by the writer once it has written the open line. */
        volatile int openStackId = -1;
        /** The open line is on its way to the log: a leak line must wait for it, to refer to its stack. */
        volatile boolean openLinePending;
        /** Who sent the first FIN, recorded by a shutdown for the close that follows. */
        volatile String initiator;
        /** A shutdown found the connection reset by the peer; the close that follows finds it closed. */
        volatile boolean peerReset;
        /** Its entry's key, cleared at close so that the collector does not queue it for the leak check. */
        private WeakKey key;

        /** Whether the open line of this connection has not been written yet (and was not dropped). */
        public boolean openLinePending() {
            return openLinePending;
        }

        Connection(long id, int api, int how, long openedAtMicros, Object local, Object remote, int remotePort) {
            this.id = id;
            this.api = api;
            this.how = how;
            this.openedAtMicros = openedAtMicros;
            this.local = local;
            this.remote = remote;
            this.remotePort = remotePort;
        }
    }

    private final AtomicLong lastId = new AtomicLong();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final ConcurrentHashMap<Object, Connection> open = new ConcurrentHashMap<>();

    /** Registers a connection just established; {@code null} when this owner is already known. */
    Connection opened(Object owner, int api, int how, long openedAtMicros, Object local, Object remote, int remotePort) {
        if (open.containsKey(new Lookup(owner))) {
            return null;
        }
        Connection connection = new Connection(lastId.incrementAndGet(), api, how, openedAtMicros, local, remote,
                remotePort);
        connection.key = new WeakKey(owner, collected);
        if (open.putIfAbsent(connection.key, connection) != null) {
            connection.key.clear(); // raced: the other entry stands
            return null;
        }
        return connection;
    }

    /**
     * Moves an open connection to another owner of the same descriptor, which from now on stands for it: the first
     * owner's collection is then no leak. False when the connection is not open any more (closed, or its owner
     * already found collected).
     */
    boolean moveTo(Connection connection, Object newOwner) {
        WeakKey newKey = new WeakKey(newOwner, collected);
        if (open.putIfAbsent(newKey, connection) != null) {
            newKey.clear();
            return false; // the new owner has a connection of its own already
        }
        if (open.remove(connection.key, connection)) {
            connection.key.clear();
            connection.key = newKey;
            return true;
        }
        open.remove(newKey);
        newKey.clear();
        return false;
    }

    /** Whether this owner's connection is known to be open. */
    boolean isOpen(Object owner) {
        return open.containsKey(new Lookup(owner));
    }

    /** Whether the open of this owner's connection recorded its local address. */
    boolean knowsLocalAddress(Object owner) {
        Connection known = open.get(new Lookup(owner));
        return known != null && (known.local != null || TcpSnapshot.hasLocal(known.kernelAddresses));
    }

    /** The connection a shutdown belongs to, registered as of unknown open if it was not seen opening. */
    Connection onShutdown(Object owner, int api, Object local, Object remote, int remotePort) {
        Connection known = open.get(new Lookup(owner));
        if (known != null) {
            return known;
        }
        Connection connection = new Connection(lastId.incrementAndGet(), api, OPEN_UNKNOWN, 0, local, remote,
                remotePort);
        connection.key = new WeakKey(owner, collected);
        Connection raced = open.putIfAbsent(connection.key, connection);
        return raced != null ? raced : connection;
    }

    /** The connection of this owner, left open; {@code null} when its open was not seen. */
    Connection find(Object owner) {
        return open.get(new Lookup(owner));
    }

    /** Forgets a connection found earlier, whose close ends only now. */
    void closed(Connection connection) {
        open.remove(connection.key);
        connection.key.clear();
    }

    /** The connection a close belongs to, forgotten from here on. */
    Connection onClose(Object owner, int api, Object local, Object remote, int remotePort) {
        Connection known = open.remove(new Lookup(owner));
        if (known == null) {
            return new Connection(lastId.incrementAndGet(), api, OPEN_UNKNOWN, 0, local, remote, remotePort);
        }
        // A cleared reference is never queued: without this, every closed socket's key went through the
        // reference handler and the writer's leak check once the collector found its owner gone.
        known.key.clear();
        return known;
    }

    /**
     * Connections whose owner was collected without a close since the last call. Allocates nothing when there
     * are none: the idle writer asks often, and a thread that allocates after a collection takes a new TLAB,
     * which inflates the heap an application sees in use.
     */
    public List<Connection> collectedUnclosed() {
        List<Connection> leaked = List.of();
        for (Object key; (key = collected.poll()) != null; ) {
            Connection connection = open.remove(key);
            if (connection != null) {
                if (leaked.isEmpty()) {
                    leaked = new ArrayList<>();
                }
                leaked.add(connection);
            }
        }
        return leaked;
    }

    /** The connections open right now. */
    public List<Connection> stillOpen() {
        return new ArrayList<>(open.values());
    }

    /** A weak, identity-compared key; once its owner is collected it equals only itself. */
    private static final class WeakKey extends WeakReference<Object> {
        private final int hash;

        WeakKey(Object owner, ReferenceQueue<Object> queue) {
            super(owner, queue);
            this.hash = System.identityHashCode(owner);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (other == this) {
                return true;
            }
            Object owner = get();
            if (owner == null) {
                return false;
            }
            return other instanceof WeakKey w ? w.get() == owner : other instanceof Lookup l && l.owner == owner;
        }
    }

    /** A short-lived strong key for looking an owner up. */
    private static final class Lookup {
        private final Object owner;

        Lookup(Object owner) {
            this.owner = owner;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(owner);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WeakKey w ? w.get() == owner : other instanceof Lookup l && l.owner == owner;
        }
    }
}
