package io.socketaudit.event;

import io.socketaudit.kernel.TcpSnapshot;
import io.socketaudit.logformat.Api;
import io.socketaudit.logformat.Event;
import io.socketaudit.logformat.Operation;


/**
 * A connection's open, or the report of one still open: {@code open} (just established), {@code leak}
 * (collected without a close), {@code open_at_exit} (still open when the JVM ended). Leaks and
 * open-at-exit lines carry the opening code's stack by its id; {@code stackId} is then already known.
 */
public record OpenEvent(
        String event,
        long timeMicros,
        long conn,
        String api,
        String transport,
        String op,
        String local,
        String remote,
        Long openedAtMicros,
        String threadName,
        long threadId,
        boolean virtualThread,
        CapturedStack stack,
        int stackId) implements FinishedEvent {

    /** The open line for a connection just established. */
    public static OpenEvent opened(PendingOpen p, StackDecoder stacks) {
        OpenConnections.Connection c = p.connection;
        return new OpenEvent(Event.OPEN, p.timeMicros, c.id, Api.of(c.api).text(), Api.of(c.api).transport(),
                Operation.ofOpening(c.how).text(),
                local(c), remote(c), c.openedAtMicros, p.threadName, p.threadId, p.virtualThread,
                stacks.decode(p.stack).stack, -1);
    }

    /** A {@code leak} or {@code open_at_exit} line for a connection never closed; the writer adds the opening code. */
    public static OpenEvent unclosed(String event, OpenConnections.Connection c, long nowMicros) {
        return new OpenEvent(event, nowMicros, c.id, Api.of(c.api).text(), Api.of(c.api).transport(),
                c.how == OpenConnections.OPEN_UNKNOWN ? null : Operation.ofOpening(c.how).text(), local(c), remote(c),
                c.openedAtMicros != 0 ? c.openedAtMicros : null, null, 0, false, CapturedStack.empty(), c.openStackId);
    }

    private static String local(OpenConnections.Connection c) {
        return CloseClassifier.address(TcpSnapshot.localText(c.kernelAddresses), c.local, 0);
    }

    private static String remote(OpenConnections.Connection c) {
        return CloseClassifier.address(TcpSnapshot.remoteText(c.kernelAddresses), c.remote, c.remotePort);
    }
}
