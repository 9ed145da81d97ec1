package io.socketaudit.event;

/** A connection being established, as captured on the thread that connected or accepted it. */
public final class PendingOpen extends Captured {

    final OpenConnections.Connection connection;

    PendingOpen(OpenConnections.Connection connection) {
        super(connection.api);
        this.connection = connection;
    }

    /** Remembers where the open line's stack went, so that a later leak line can refer to it. */
    public void recordStack(int stackId) {
        connection.openStackId = stackId;
    }
}
