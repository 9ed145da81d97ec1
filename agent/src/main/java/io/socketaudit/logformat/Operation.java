package io.socketaudit.logformat;

import io.socketaudit.bootstrap.SocketBridge;

/** The {@code op} field: what the application did to the connection. */
public enum Operation {
    CLOSE("close"),
    SHUTDOWN_OUTPUT("shutdownOutput"),
    SHUTDOWN_INPUT("shutdownInput"),
    SHUTDOWN_BOTH("shutdownBoth"),
    CONNECT("connect"),
    ACCEPT("accept");

    private final String text;

    Operation(String text) {
        this.text = text;
    }

    /** The operation of a {@code SocketBridge} close or shutdown code. */
    public static Operation ofEnding(int bridgeCode) {
        return switch (bridgeCode) {
            case SocketBridge.CLOSE -> CLOSE;
            case SocketBridge.SHUTDOWN_OUTPUT -> SHUTDOWN_OUTPUT;
            case SocketBridge.SHUTDOWN_INPUT -> SHUTDOWN_INPUT;
            case SocketBridge.SHUTDOWN_BOTH -> SHUTDOWN_BOTH;
            default -> throw new IllegalArgumentException("operation " + bridgeCode);
        };
    }

    /** The operation of a {@code SocketBridge} open code. */
    public static Operation ofOpening(int bridgeCode) {
        return switch (bridgeCode) {
            case SocketBridge.CONNECT -> CONNECT;
            case SocketBridge.ACCEPT -> ACCEPT;
            default -> throw new IllegalArgumentException("open " + bridgeCode);
        };
    }

    /** As the log writes it. */
    public String text() {
        return text;
    }
}
