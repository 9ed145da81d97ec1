package io.socketaudit.e2e.libraries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * Netty 4.2's io_uring transport, from Maven Central's jars that the build copies apart (its classes are not on
 * the test class path, which has Netty 4.1): Netty's native sockets, {@code transport} io_uring. Skipped, saying
 * why, where Netty finds that io_uring cannot run (a kernel without it, or that forbids it).
 */
class NettyIoUringIT extends NettyTransportIT {

    @Override
    String transport() {
        return "io_uring";
    }

    @Override
    List<Path> classPath() {
        String configured = System.getProperty("socketaudit.netty42.dir");
        Path dir = configured == null || configured.isBlank() || configured.startsWith("${")
                ? Paths.get(System.getProperty("basedir", "."), "target", "netty-4.2") : Paths.get(configured);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
            if (jars.stream().noneMatch(j -> j.getFileName().toString().startsWith("netty-transport-native-io_uring"))) {
                throw new IllegalStateException("no netty-transport-native-io_uring jar in " + dir);
            }
            return jars;
        } catch (IOException e) {
            throw new IllegalStateException("Netty 4.2's jars are not in " + dir + ": the build's dependency:copy "
                    + "puts them there ('mvn -B verify')", e);
        }
    }
}
