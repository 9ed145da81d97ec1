package io.socketaudit.event;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ApplicationFramesTest {

    @AfterEach
    void defaultsAgain() {
        ApplicationFrames.addLibraries(List.of());
    }

    @Test
    void theFirstFrameOutsideTheJdkAndTheKnownLibrariesIsTheApplications() {
        List<String> frames = List.of(
                "sun.nio.ch.NioSocketImpl.close(NioSocketImpl.java:889)",
                "java.net.Socket.close(Socket.java:1575)",
                "redis.clients.jedis.Connection.close(Connection.java:120)",
                "org.apache.hc.core5.pool.StrictConnPool.release(StrictConnPool.java:300)",
                "io.grpc.netty.shaded.io.netty.channel.unix.FileDescriptor.markClosed(FileDescriptor.java:75)",
                "com.acme.shaded.io.netty.channel.AbstractChannel.close(AbstractChannel.java:10)",
                "com.acme.orders.OrderService.load(OrderService.java:42)",
                "com.acme.Main.main(Main.java:7)");
        assertEquals("com.acme.orders.OrderService.load(OrderService.java:42)", ApplicationFrames.first(frames));
    }

    @Test
    void onlyLibraryAndJdkFramesIsNull() {
        assertNull(ApplicationFrames.first(List.of(
                "io.netty.channel.unix.FileDescriptor.markClosed(FileDescriptor.java:75)",
                "io.netty.util.concurrent.SingleThreadEventExecutor$4.run(SingleThreadEventExecutor.java:997)",
                "java.lang.Thread.run(Thread.java:840)")));
    }

    @Test
    void configuredPackagesAreLibrariesToo() {
        List<String> frames = List.of(
                "com.acme.rpc.Client.close(Client.java:3)",
                "com.acme.orders.OrderService.load(OrderService.java:42)");
        assertEquals("com.acme.rpc.Client.close(Client.java:3)", ApplicationFrames.first(frames));
        ApplicationFrames.addLibraries(List.of("com.acme.rpc."));
        assertEquals("com.acme.orders.OrderService.load(OrderService.java:42)", ApplicationFrames.first(frames));
    }
}
