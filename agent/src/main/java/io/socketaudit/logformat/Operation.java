package io.socketaudit.logformat;

import io.socketaudit.bootstrap.CloseBridge;

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

    /** The operation of a {@code CloseBridge} close or shutdown code. */
    public static Operation ofEnding(int bridgeCode) {
        return switch (bridgeCode) {
            case CloseBridge.CLOSE -> CLOSE;
            case CloseBridge.SHUTDOWN_OUTPUT -> SHUTDOWN_OUTPUT;
            case CloseBridge.SHUTDOWN_INPUT -> SHUTDOWN_INPUT;
            case CloseBridge.SHUTDOWN_BOTH -> SHUTDOWN_BOTH;
            default -> throw new IllegalArgumentException("operation " + bridgeCode);
        };
    }

    /** The operation of a {@code CloseBridge} open code. */
    public static Operation ofOpening(int bridgeCode) {
        return switch (bridgeCode) {
            case CloseBridge.CONNECT -> CONNECT;
            case CloseBridge.ACCEPT -> ACCEPT;
            default -> throw new IllegalArgumentException("open " + bridgeCode);
        };
    }

    /** As the log writes it. */
    public String text() {
        return text;
    }
}
