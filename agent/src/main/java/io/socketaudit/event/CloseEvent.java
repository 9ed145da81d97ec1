package io.socketaudit.event;

/**
 * A close or shutdown ready to be written: the public fields of the log line, as documented in docs/log-format.md.
 * Nullable fields are {@code null} where the value cannot be known.
 */
public record CloseEvent(
        String event,
        long timeMicros,
        long conn,
        String api,
        String transport,
        String op,
        String local,
        String remote,
        String how,
        String cause,
        String initiator,
        Long pendingIn,
        Long pendingOut,
        String tcpState,
        Boolean closeNotify,
        String threadName,
        long threadId,
        boolean virtualThread,
        Long openedAtMicros,
        Long durationMicros,
        Long bytesIn,
        Long bytesOut,
        Long sinceDataInMs,
        Long sinceDataOutMs,
        CapturedStack stack) implements FinishedEvent {

    /** The first frame outside the JDK; computed, for tests and tools (the log writer caches it per stack). */
    public String caller() {
        return stack.caller();
    }
}
