package io.socketaudit.report;

import io.socketaudit.logformat.Value;
import io.socketaudit.report.LogRecord.SocketEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds connections whose two ends were both audited: one end logged {@code local=X remote=Y},
 * the other {@code local=Y remote=X}. That happens with two audited JVMs talking to each other, and
 * within one JVM that talks to itself. Each end is the events one process logged for one
 * connection (a shutdown, then the close). Memory is bounded: ends still waiting for their other
 * end are kept up to a limit, the oldest given up first.
 *
 * <p>A four-tuple can be reused by a later connection; ends are matched with the most recent end
 * still waiting, which is right as long as the two ends of one connection close within the time
 * the other end waits in memory.
 */
final class ConnectionPairing {

    private static final int MAX_WAITING_ENDS = 200_000;
    private static final int MAX_PATTERNS = 100;

    /** One end of a connection: what one process logged about it. */
    private static final class End {
        final SocketEvent first;
        final List<String> ops = new ArrayList<>(2);
        SocketEvent close;

        End(SocketEvent first) {
            this.first = first;
            ops.add(first.op());
        }

        SocketEvent last() {
            return close != null ? close : first;
        }
    }

    private static final class Pattern {
        long count;
        final End firstExample;
        final End secondExample;

        Pattern(End first, End second) {
            this.firstExample = first;
            this.secondExample = second;
        }
    }

    private final Map<String, End> openEnds = new LinkedHashMap<>();
    private final Map<String, End> waitingEnds = new LinkedHashMap<>();
    private final Map<String, Pattern> patterns = new LinkedHashMap<>();
    private long pairs;
    private long pairsInOtherPatterns;
    private long unpairedEnds;

    void accept(SocketEvent event) {
        if (!event.isConnection() || event.conn() == null || event.local() == null) {
            return;
        }
        String endKey = event.pid() + "/" + event.conn() + "/" + event.local();
        End end = openEnds.remove(endKey);
        if (end == null) {
            end = new End(event);
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
    }

    Summary.Pairing summary(List<String> inputNames) {
        // Ends shut down but never closed (the log stopped first) may still meet their other end.
        for (End end : new ArrayList<>(openEnds.values())) {
            offer(end);
        }
        openEnds.clear();
        List<Summary.PairPattern> list = new ArrayList<>();
        for (Pattern p : patterns.values()) {
            list.add(new Summary.PairPattern(p.count, view(p.firstExample, inputNames), view(p.secondExample, inputNames)));
        }
        list.sort(Comparator.comparingLong(Summary.PairPattern::count).reversed());
        return new Summary.Pairing(pairs, unpairedEnds + waitingEnds.size(), pairsInOtherPatterns, list);
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
        String key = describe(first) + " | " + describe(second);
        Pattern pattern = patterns.get(key);
        if (pattern == null) {
            if (patterns.size() >= MAX_PATTERNS) {
                pairsInOtherPatterns++;
                return;
            }
            pattern = new Pattern(first, second);
            patterns.put(key, pattern);
        }
        pattern.count++;
    }

    private static String describe(End end) {
        SocketEvent last = end.last();
        return last.api() + " " + String.join("+", end.ops) + " " + last.how() + " " + last.cause() + " "
                + last.initiator() + (positive(last.pendingIn()) ? " unread" : "")
                + (positive(last.pendingOut()) ? " unsent" : "");
    }

    private static boolean positive(Long bytes) {
        return bytes != null && bytes > 0;
    }

    private static Summary.PairedEnd view(End end, List<String> inputNames) {
        SocketEvent last = end.last();
        return new Summary.PairedEnd(inputNames.get(last.input()), last.pid(), last.conn(), last.api(), last.local(),
                last.remote(), end.first.timeMicros(), List.copyOf(end.ops), end.close != null, last.how(),
                last.cause(), last.initiator(), last.pendingIn(), last.pendingOut(), last.tcpState(), end.first.caller());
    }

    private static End removeEldest(Map<String, End> ends) {
        Iterator<End> eldest = ends.values().iterator();
        End end = eldest.next();
        eldest.remove();
        return end;
    }
}
