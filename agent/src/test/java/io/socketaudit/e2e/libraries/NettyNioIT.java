package io.socketaudit.e2e.libraries;

import java.nio.file.Path;
import java.util.List;

/**
 * Netty's NIO transport: the JDK's channels underneath, audited as {@code SocketChannel}s. What this adds to the
 * JDK's own end-to-end tests is Netty's way of closing: a close that the application asks for on a thread that is
 * not the channel's event loop runs later as a task on the loop, and belongs to the code that asked. The close
 * with unread input, which on this transport races the selector's release, is pinned by the JDK's scenarios; here
 * it would need the kernel's unacknowledged count, which the NIO transport does not read.
 */
class NettyNioIT extends NettyTransportIT {

    @Override
    String transport() {
        return "nio";
    }

    @Override
    List<Path> classPath() {
        return NettyEpollIT.nettyJars();
    }

    @Override
    List<String> scenarios() {
        return NettyScenarios.SCENARIOS.stream().filter(s -> !s.equals("serverClosesWithInputUnread")).toList();
    }

    @Override
    String api() {
        return "SocketChannel";
    }

    @Override
    String listenerApi() {
        return "ServerSocketChannel";
    }

    @Override
    String transportField() {
        return null;
    }
}
