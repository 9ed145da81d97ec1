package io.socketaudit.bench;

import io.socketaudit.event.SocketEventRecorder;
import io.socketaudit.kernel.NativeLibrary;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the benchmarks that drive the agent's parts directly (the agent jar on the class path, not attached) need
 * beyond calling them: its native library loaded, a channel's descriptor, and a close as the bridge makes one.
 * The agent's classes are referred to by name at compile time, so that a rename breaks the build, not a run.
 */
final class AgentParts {

    private AgentParts() {
    }

    /** Loads the kernel probe's native library; fails when it cannot be loaded. */
    static void loadKernelProbe() throws IOException {
        byte[] library;
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(NativeLibrary.RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(NativeLibrary.RESOURCE + " is not on the class path");
            }
            library = in.readAllBytes();
        }
        Path directory = Files.createTempDirectory("socket-audit-bench");
        String reason;
        try {
            reason = NativeLibrary.load(directory, library);
        } finally {
            Files.deleteIfExists(directory);
        }
        if (reason != null) {
            throw new IllegalStateException("the kernel probe is unavailable: " + reason);
        }
    }

    /** The descriptor of a {@code SocketChannel}; needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}. */
    static FileDescriptor channelFd(Object channel) {
        try {
            Field fd = channel.getClass().getDeclaredField("fd");
            fd.setAccessible(true);
            return (FileDescriptor) fd.get(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("SocketChannelImpl.fd (run with --add-opens java.base/sun.nio.ch=ALL-UNNAMED)", e);
        }
    }

    /** One close through the recorder, as the bridge's enter and exit make it around the JDK's close. */
    static void close(SocketEventRecorder recorder, int api, int op, Object owner, FileDescriptor fd, Object remote,
                      int port) {
        Object token = recorder.enter(api, op, owner, fd, null, remote, port, false, false);
        if (token == null) {
            throw new IllegalStateException("the recorder ignored the close (is the descriptor a TCP socket?)");
        }
        recorder.exit(token);
    }
}
