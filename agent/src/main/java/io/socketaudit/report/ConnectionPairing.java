package io.socketaudit.report;

import io.socketaudit.logformat.Operation;
import io.socketaudit.logformat.Value;
import io.socketaudit.report.LogRecord.Open;
import io.socketaudit.report.LogRecord.SocketEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds connections whose two ends were both audited: one end logged {@code local=X remote=Y},
 * the other {@code local=Y remote=X}. That happens with two audited JVMs talking to each other, and
 * within one JVM that talks to itself. Each end is the events one process logged for one
 * connection (a shutdown, then the close), and knows its side: the connecting or the accepting one,
 * from its {@code open} line, else from a port the process had accepted connections on or closed a
 * listener on before the pair was found, else from the other end's side. Memory is bounded: ends still waiting for their other end are kept up to a
 * limit, the oldest given up first, and so are the sides of connections not yet ended.
 *
 * <p>A four-tuple can be reused by a later connection; ends are matched with the most recent end
 * still waiting, which is right as long as the two ends of one connection close within the time
 * the other end waits in memory.
 */
final class ConnectionPairing {

    private static final int MAX_WAITING_ENDS = 200_000;
    private static final int MAX_LISTENING_PORTS = 10_000;
    private static final int MAX_PATTERNS = 100;
    /** Paired connections listed one by one; the rest are counted. */
    static final int MAX_CONNECTIONS_LISTED = 1_000;

    /** One end of a connection: what one process logged about it. */
    private static final class End {
        final SocketEvent first;
        final List<String> ops = new ArrayList<>(2);
        SocketEvent close;
        /** {@code connect} or {@code accept}, as the {@code open} line's {@code op}; null while unknown. */
        String role;

        End(SocketEvent first, String role) {
            this.first = first;
            this.role = role;
            ops.add(first.op());
        }

        SocketEvent last() {
            return close != null ? close : first;
        }
    }

    private static final class Pattern {
        long count;
        final Summary.PairedConnection example;

        Pattern(Summary.PairedConnection example) {
            this.example = example;
        }
    }

    private final List<String> inputNames;
    private final Map<String, String> openRoles = new LinkedHashMap<>();
    private final Set<String> listeningPorts = new HashSet<>();
    private final Map<String, End> openEnds = new LinkedHashMap<>();
    private final Map<String, End> waitingEnds = new LinkedHashMap<>();
    private final Map<String, Pattern> patterns = new LinkedHashMap<>();
    private final List<Summary.PairedConnection> connections = new ArrayList<>();
    private long pairs;
    private long pairsInOtherPatterns;
    private long unpairedEnds;
    /** Set by {@link #pair} while {@link #accept} runs. */
    private SocketEvent otherEndedFirst;

    ConnectionPairing(List<String> inputNames) {
        this.inputNames = inputNames;
    }

    void open(Open open) {
        if (open.conn() == null || open.op() == null) {
            return;
        }
        openRoles.put(open.pid() + "/" + open.conn(), open.op());
        if (openRoles.size() > MAX_WAITING_ENDS) {
            Iterator<String> eldest = openRoles.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        if (Operation.ACCEPT.text().equals(open.op())) {
            listening(open.pid(), open.local());
        }
    }

    /**
     * What pairing knows of an event's end: its side as far as known yet (else null), and the other end's
     * first shutdown or close when this event completed a pair whose other end ended first (else null).
     */
    record EndSeen(String role, SocketEvent otherEndedFirst) {
    }

    private static final EndSeen NOTHING_KNOWN = new EndSeen(null, null);

    /** Takes the event into its end. */
    EndSeen accept(SocketEvent event) {
        otherEndedFirst = null;
        if (event.isListener()) {
            listening(event.pid(), event.local());
            return NOTHING_KNOWN;
        }
        if (!event.isConnection() || event.conn() == null || event.local() == null) {
            return NOTHING_KNOWN;
        }
        String endKey = event.pid() + "/" + event.conn() + "/" + event.local();
        End end = openEnds.remove(endKey);
        if (end == null) {
            end = new End(event, openRoles.remove(event.pid() + "/" + event.conn()));
            if (end.role == null && isListening(end)) {
                end.role = Operation.ACCEPT.text();
            }
        } else {
            end.ops.add(event.op());
        }
        if (event.isClose()) {
            end.close = event;
            offer(end);
        } else {
            openEnds.put(endKey, end);
            if (openEnds.size() > MAX_WAITING_ENDS) {
                offer(removeEldest(openEnds));
            }
        }
        return new EndSeen(end.role, otherEndedFirst);
    }

    Summary.Pairing summary() {
        // Ends shut down but never closed (the log stopped first) may still meet their other end.
        for (End end : new ArrayList<>(openEnds.values())) {
            offer(end);
        }
        openEnds.clear();
        List<Summary.PairPattern> list = new ArrayList<>();
        for (Pattern p : patterns.values()) {
            list.add(new Summary.PairPattern(p.count, p.example.first(), p.example.second()));
        }
        list.sort(Comparator.comparingLong(Summary.PairPattern::count).reversed());
        return new Summary.Pairing(pairs, unpairedEnds + waitingEnds.size(), pairsInOtherPatterns, list,
                List.copyOf(connections), MAX_CONNECTIONS_LISTED, pairs - connections.size());
    }

    private void listening(long pid, String local) {
        Integer port = Addresses.port(local);
        if (port != null && listeningPorts.size() < MAX_LISTENING_PORTS) {
            listeningPorts.add(pid + ":" + port);
        }
    }

    private void offer(End end) {
        SocketEvent e = end.first;
        End other = waitingEnds.remove(e.remote() + " " + e.local());
        if (other != null) {
            pair(other, end);
            return;
        }
        String key = e.local() + " " + e.remote();
        if (waitingEnds.remove(key) != null) {
            unpairedEnds++;
        }
        waitingEnds.put(key, end);
        if (waitingEnds.size() > MAX_WAITING_ENDS) {
            removeEldest(waitingEnds);
            unpairedEnds++;
        }
    }

    /** {@code waiting} logged its close no later than {@code arriving}; which one ended first is decided by their first events. */
    private void pair(End waiting, End arriving) {
        pairs++;
        boolean arrivingFirst = arriving.first.timeMicros() < waiting.first.timeMicros()
                || arriving.first.timeMicros() == waiting.first.timeMicros()
                        && Value.LOCAL.equals(arriving.last().initiator()) && !Value.LOCAL.equals(waiting.last().initiator());
        End first = arrivingFirst ? arriving : waiting;
        End second = arrivingFirst ? waiting : arriving;
        resolveRoles(first, second);
        if (first == waiting) {
            otherEndedFirst = waiting.first;
        }
        Summary.PairedConnection connection = null;
        if (connections.size() < MAX_CONNECTIONS_LISTED) {
            connection = new Summary.PairedConnection(view(first), view(second));
            connections.add(connection);
        }
        String key = describe(first) + " | " + describe(second);
        Pattern pattern = patterns.get(key);
        if (pattern == null) {
            if (patterns.size() >= MAX_PATTERNS) {
                pairsInOtherPatterns++;
                return;
            }
            pattern = new Pattern(connection != null ? connection : new Summary.PairedConnection(view(first), view(second)));
            patterns.put(key, pattern);
        }
        pattern.count++;
    }

    /** A side known for one end gives the other end the opposite side. */
    private void resolveRoles(End a, End b) {
        for (End end : List.of(a, b)) {
            if (end.role == null && isListening(end)) {
                end.role = Operation.ACCEPT.text();
            }
        }
        if (a.role == null && b.role != null) {
            a.role = opposite(b.role);
        } else if (b.role == null && a.role != null) {
            b.role = opposite(a.role);
        }
    }

    private boolean isListening(End end) {
        return listeningPorts.contains(end.first.pid() + ":" + Addresses.port(end.first.local()));
    }

    private static String opposite(String role) {
        return Operation.ACCEPT.text().equals(role) ? Operation.CONNECT.text() : Operation.ACCEPT.text();
    }

    /** What an end did, on which side and from which code: pairs that differ in any of these are different stories. */
    private static String describe(End end) {
        SocketEvent last = end.last();
        return end.role + " " + last.api() + " " + String.join("+", end.ops) + " " + last.how() + " " + last.cause() + " "
                + last.initiator() + (positive(last.pendingIn()) ? " unread" : "")
                + (positive(last.pendingOut()) ? " unsent" : "") + " " + end.first.caller();
    }

    private static boolean positive(Long bytes) {
        return bytes != null && bytes > 0;
    }

    private Summary.PairedEnd view(End end) {
        SocketEvent last = end.last();
        return new Summary.PairedEnd(inputNames.get(last.input()), last.pid(), last.conn(), last.api(), last.local(),
                last.remote(), end.role, end.first.timeMicros(), List.copyOf(end.ops), end.close != null, last.how(),
                last.cause(), last.initiator(), last.pendingIn(), last.pendingOut(), last.tcpState(), end.first.caller());
    }

    private static End removeEldest(Map<String, End> ends) {
        Iterator<End> eldest = ends.values().iterator();
        End end = eldest.next();
        eldest.remove();
        return end;
    }
}
