package io.socketaudit.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty 4.1's io_uring transport, the incubator's ({@code io.netty.incubator.channel.uring}, on the test class path
 * beside epoll): Netty's native sockets, {@code transport} io_uring. Its channel does not read TCP_INFO, which
 * the close with unread input waits on, so that scenario is 4.2's only. Skipped, saying why, where Netty finds
 * that io_uring cannot run.
 */
class NettyIoUringIncubatorIT extends NettyTransportIT {

    @Override
    String transport() {
        return "io_uring-incubator";
    }

    @Override
    String transportField() {
        return "io_uring";
    }

    @Override
    List<Path> classPath() {
        List<Path> jars = new ArrayList<>(NettyEpollIT.nettyJars());
        jars.add(NettyEpollIT.jarOf(io.netty.incubator.channel.uring.IOUring.class));
        jars.add(NettyEpollIT.nativeLibraryJar("META-INF/native/libnetty_transport_native_io_uring_x86_64.so"));
        return jars;
    }

    @Override
    List<String> scenarios() {
        return NettyScenarios.SCENARIOS.stream().filter(s -> !s.equals("serverClosesWithInputUnread")).toList();
    }
}
