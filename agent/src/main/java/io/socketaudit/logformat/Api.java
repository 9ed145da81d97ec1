package io.socketaudit.logformat;

import io.socketaudit.bootstrap.SocketBridge;

/**
 * The {@code api} field: which type the connection was used through (a JDK type, or Netty's native socket), keyed
 * by the bridge's code for it; with the {@code transport} field for Netty's native sockets.
 */
public enum Api {
    SOCKET(SocketBridge.SOCKET, "Socket", null),
    SSL_SOCKET(SocketBridge.SSL_SOCKET, "SSLSocket", null),
    SOCKET_CHANNEL(SocketBridge.SOCKET_CHANNEL, "SocketChannel", null),
    ASYNC_SOCKET_CHANNEL(SocketBridge.ASYNC_SOCKET_CHANNEL, "AsynchronousSocketChannel", null),
    SERVER_SOCKET(SocketBridge.SERVER_SOCKET, "ServerSocket", null),
    SERVER_SOCKET_CHANNEL(SocketBridge.SERVER_SOCKET_CHANNEL, "ServerSocketChannel", null),
    ASYNC_SERVER_SOCKET_CHANNEL(SocketBridge.ASYNC_SERVER_SOCKET_CHANNEL, "AsynchronousServerSocketChannel", null),
    NETTY_EPOLL_SOCKET(SocketBridge.NETTY_EPOLL_SOCKET, "NettySocket", "epoll"),
    NETTY_EPOLL_SERVER_SOCKET(SocketBridge.NETTY_EPOLL_SERVER_SOCKET, "NettyServerSocket", "epoll"),
    NETTY_IO_URING_SOCKET(SocketBridge.NETTY_IO_URING_SOCKET, "NettySocket", "io_uring"),
    NETTY_IO_URING_SERVER_SOCKET(SocketBridge.NETTY_IO_URING_SERVER_SOCKET, "NettyServerSocket", "io_uring");

    private static final Api[] BY_CODE = new Api[values().length];

    static {
        for (Api api : values()) {
            BY_CODE[api.code] = api;
        }
    }

    private final int code;
    private final String text;
    private final String transport;

    Api(int code, String text, String transport) {
        this.code = code;
        this.text = text;
        this.transport = transport;
    }

    /** The api of a {@code SocketBridge} code. */
    public static Api of(int bridgeCode) {
        return BY_CODE[bridgeCode];
    }

    /** Whether connections are accepted through it rather than carried. */
    public boolean isListener() {
        return this == SERVER_SOCKET || this == SERVER_SOCKET_CHANNEL || this == ASYNC_SERVER_SOCKET_CHANNEL
                || this == NETTY_EPOLL_SERVER_SOCKET || this == NETTY_IO_URING_SERVER_SOCKET;
    }

    /** The listening counterpart of a Netty native socket's code: the same transport. */
    public static int nettyListener(int bridgeCode) {
        return bridgeCode == SocketBridge.NETTY_IO_URING_SOCKET
                ? SocketBridge.NETTY_IO_URING_SERVER_SOCKET : SocketBridge.NETTY_EPOLL_SERVER_SOCKET;
    }

    /** The {@code transport} field: Netty's native transport, {@code null} for the JDK's types. */
    public String transport() {
        return transport;
    }

    /** As the log writes it. */
    public String text() {
        return text;
    }
}
