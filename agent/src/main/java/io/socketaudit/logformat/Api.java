package io.socketaudit.logformat;

import io.socketaudit.bootstrap.CloseBridge;

/** The {@code api} field: which JDK type the connection was used through, keyed by the bridge's code for it. */
public enum Api {
    SOCKET(CloseBridge.SOCKET, "Socket"),
    SSL_SOCKET(CloseBridge.SSL_SOCKET, "SSLSocket"),
    SOCKET_CHANNEL(CloseBridge.SOCKET_CHANNEL, "SocketChannel"),
    ASYNC_SOCKET_CHANNEL(CloseBridge.ASYNC_SOCKET_CHANNEL, "AsynchronousSocketChannel"),
    SERVER_SOCKET(CloseBridge.SERVER_SOCKET, "ServerSocket"),
    SERVER_SOCKET_CHANNEL(CloseBridge.SERVER_SOCKET_CHANNEL, "ServerSocketChannel"),
    ASYNC_SERVER_SOCKET_CHANNEL(CloseBridge.ASYNC_SERVER_SOCKET_CHANNEL, "AsynchronousServerSocketChannel");

    private static final Api[] BY_CODE = new Api[values().length];

    static {
        for (Api api : values()) {
            BY_CODE[api.code] = api;
        }
    }

    private final int code;
    private final String text;

    Api(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The api of a {@code CloseBridge} code. */
    public static Api of(int bridgeCode) {
        return BY_CODE[bridgeCode];
    }

    /** Whether connections are accepted through it rather than carried. */
    public boolean isListener() {
        return this == SERVER_SOCKET || this == SERVER_SOCKET_CHANNEL || this == ASYNC_SERVER_SOCKET_CHANNEL;
    }

    /** As the log writes it. */
    public String text() {
        return text;
    }
}
