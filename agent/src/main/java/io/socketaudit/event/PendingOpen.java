package io.socketaudit.event;

/** A connection being established, as captured on the thread that connected or accepted it. */
public final class PendingOpen extends Captured {

    /** An asynchronous connect asked for and not yet completed: who asked, and where. */
    static final class Request extends Captured {
        Request(int api) {
            super(api);
        }
    }

    final OpenConnections.Connection connection;

    PendingOpen(OpenConnections.Connection connection) {
        super(connection.api);
        this.connection = connection;
    }

    /** An open completed on another thread than the one that asked for it: the asker's thread and stack. */
    PendingOpen(OpenConnections.Connection connection, Captured request) {
        super(connection.api, request);
        this.connection = connection;
    }

    /** Remembers where the open line's stack went, so that a later leak line can refer to it. */
    public void recordStack(int stackId) {
        connection.openStackId = stackId;
        connection.openLinePending = false;
    }
}
