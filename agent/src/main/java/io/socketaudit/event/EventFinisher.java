package io.socketaudit.event;

import io.socketaudit.logformat.Event;

import java.util.ArrayList;
import java.util.List;

/**
 * The events' side of the log writer's thread: turns what application threads captured into finished events
 * (stacks decoded, closes classified) and finds the connections left unclosed. The writer only writes what this
 * gives it. Used by the writer's thread only.
 */
public final class EventFinisher {

    private final OpenConnections connections;
    private final StackDecoder stacks;
    /** Leaks found before their connection's open line was written; reported once it is. */
    private final List<OpenConnections.Connection> leaksAwaitingOpen = new ArrayList<>();

    public EventFinisher(OpenConnections connections, int stackDepth) {
        this.connections = connections;
        this.stacks = new StackDecoder(stackDepth);
    }

    /** The finished event for what an application thread captured. */
    public FinishedEvent finish(Captured captured) {
        if (captured instanceof PendingClose close) {
            return CloseClassifier.classify(close, stacks);
        }
        return OpenEvent.opened((PendingOpen) captured, stacks);
    }

    /** The open line of {@code captured} is written, its stack under {@code stackId}: a leak line can refer to it. */
    public void openWritten(Captured captured, int stackId) {
        ((PendingOpen) captured).recordStack(stackId);
    }

    /**
     * A {@code leak} event for each connection the collector found unclosed. One whose open line is still queued
     * waits for it, so that the leak can name the opening code; {@code last} gives them all. Allocates nothing
     * when there are none, as the idle writer asks often.
     */
    public List<OpenEvent> leaks(boolean last) {
        List<OpenConnections.Connection> collected = connections.collectedUnclosed();
        if (!collected.isEmpty()) {
            leaksAwaitingOpen.addAll(collected);
        }
        if (leaksAwaitingOpen.isEmpty()) {
            return List.of();
        }
        long now = Clock.nowMicros();
        List<OpenEvent> leaks = List.of();
        for (var it = leaksAwaitingOpen.iterator(); it.hasNext(); ) {
            OpenConnections.Connection connection = it.next();
            if (last || !connection.openLinePending()) {
                if (leaks.isEmpty()) {
                    leaks = new ArrayList<>();
                }
                leaks.add(OpenEvent.unclosed(Event.LEAK, connection, now));
                it.remove();
            }
        }
        return leaks;
    }

    /** An {@code open_at_exit} event for each connection still open. */
    public List<OpenEvent> openAtExit() {
        long now = Clock.nowMicros();
        List<OpenEvent> open = new ArrayList<>();
        for (OpenConnections.Connection connection : connections.stillOpen()) {
            open.add(OpenEvent.unclosed(Event.OPEN_AT_EXIT, connection, now));
        }
        return open;
    }
}
