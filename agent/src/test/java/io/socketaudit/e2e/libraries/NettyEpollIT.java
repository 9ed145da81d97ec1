package io.socketaudit.e2e.libraries;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Netty 4.1's epoll transport: Netty's native sockets, {@code api} {@code NettySocket}, {@code transport} epoll. */
class NettyEpollIT extends NettyTransportIT {

    @Override
    String transport() {
        return "epoll";
    }

    @Override
    List<Path> classPath() {
        return nettyJars();
    }

    /** The jars of Netty's epoll transport on this test's class path, for the child's. */
    static List<Path> nettyJars() {
        List<Path> jars = new ArrayList<>();
        for (Class<?> type : List.of(io.netty.util.Version.class, io.netty.buffer.ByteBuf.class,
                io.netty.resolver.AddressResolver.class, io.netty.channel.Channel.class,
                io.netty.channel.unix.Socket.class, io.netty.channel.epoll.Epoll.class)) {
            jars.add(jarOf(type));
        }
        jars.add(nativeLibraryJar("META-INF/native/libnetty_transport_native_epoll_x86_64.so"));
        return jars;
    }

    /** The jar on this test's class path that a class comes from. */
    static Path jarOf(Class<?> type) {
        return location(type.getProtectionDomain().getCodeSource().getLocation());
    }

    /** The jar on this test's class path that holds a native library (a resource, no class). */
    static Path nativeLibraryJar(String resource) {
        URL nativeLibrary = NettyEpollIT.class.getClassLoader().getResource(resource);
        Objects.requireNonNull(nativeLibrary, resource + " is not on the test class path");
        String jar = nativeLibrary.toString();
        return location(urlOf(jar.substring("jar:".length(), jar.indexOf("!/"))));
    }

    private static URL urlOf(String text) {
        try {
            return new java.net.URI(text).toURL();
        } catch (URISyntaxException | java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path location(URL url) {
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
