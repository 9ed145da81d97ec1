package io.socketaudit.bench;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agent's own classes, reached by reflection from the agent jar on the class path (not attached as an
 * agent): the kernel probe, the close recorder and the audit log. Reflection keeps this module's build
 * independent of the agent's internals; if they change, only the benchmarks that use them fail, with the
 * name of what is missing.
 */
final class AgentInternals {

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.publicLookup();

    private AgentInternals() {
    }

    static Class<?> type(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name + " is not on the class path: put the agent jar on it", e);
        }
    }

    static int constant(String className, String field) {
        try {
            return type(className).getField(field).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no " + className + "." + field, e);
        }
    }

    /** Loads the kernel probe's native library; fails when it cannot be loaded. */
    static void loadKernelProbe() {
        try {
            Class<?> library = type("io.socketaudit.kernel.NativeLibrary");
            String resource = (String) library.getField("RESOURCE").get(null);
            byte[] bytes;
            try (java.io.InputStream in = library.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the class path");
                }
                bytes = in.readAllBytes();
            }
            Object reason = library.getMethod("load", java.nio.file.Path.class, byte[].class)
                    .invoke(null, java.nio.file.Files.createTempDirectory("socket-audit-bench"), bytes);
            if (reason != null) {
                throw new IllegalStateException("the kernel probe is unavailable: " + reason);
            }
        } catch (ReflectiveOperationException | java.io.IOException e) {
            throw new IllegalStateException("NativeLibrary.load(Path, byte[])", e);
        }
    }

    /** {@code KernelProbe.probe(FileDescriptor, boolean, boolean)} as a handle returning Object. */
    static MethodHandle kernelProbe() {
        try {
            Class<?> probe = type("io.socketaudit.kernel.KernelProbe");
            Class<?> snapshot = type("io.socketaudit.kernel.TcpSnapshot");
            return LOOKUP.findStatic(probe, "probe",
                            MethodType.methodType(snapshot, FileDescriptor.class, boolean.class, boolean.class))
                    .asType(MethodType.methodType(Object.class, FileDescriptor.class, boolean.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("KernelProbe.probe(FileDescriptor, boolean, boolean)", e);
        }
    }

    /** The descriptor under a {@code java.net.Socket}, through the agent's JNI read of the JDK's field. */
    static FileDescriptor socketFd(Object socket) {
        try {
            return (FileDescriptor) type("io.socketaudit.kernel.JdkSocketFields").getMethod("socketFd", Object.class)
                    .invoke(null, socket);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JdkSocketFields.socketFd(Object)", e);
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

    /** A new {@code OpenConnections}. */
    static Object openConnections() {
        return newInstance("io.socketaudit.event.OpenConnections");
    }

    /** A new {@code AgentErrors}. */
    static Object agentErrors() {
        return newInstance("io.socketaudit.output.AgentErrors");
    }

    /** The agent's close recorder, handing what it captures to {@code sink}. */
    static Recorder recorder(Object connections, Consumer<Object> sink) {
        try {
            Class<?> type = type("io.socketaudit.event.SocketEventRecorder");
            Class<?> captured = type("io.socketaudit.event.Captured");
            Object recorder = newWithSink(type, connections, sink);
            MethodHandle opened = LOOKUP.findVirtual(type, "opened", MethodType.methodType(void.class, int.class,
                    int.class, Object.class, FileDescriptor.class, Object.class, Object.class, int.class)).bindTo(recorder);
            MethodHandle enter = LOOKUP.findVirtual(type, "enter", MethodType.methodType(Object.class, int.class,
                    int.class, Object.class, FileDescriptor.class, Object.class, Object.class, int.class,
                    boolean.class, boolean.class)).bindTo(recorder);
            MethodHandle exit = LOOKUP.findVirtual(type, "exit", MethodType.methodType(void.class, Object.class))
                    .bindTo(recorder);
            if (!captured.isAssignableFrom(type("io.socketaudit.event.PendingClose"))) {
                throw new IllegalStateException("PendingClose is no longer a Captured");
            }
            return new Recorder(opened, enter, exit);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("SocketEventRecorder(OpenConnections, sink) with opened/enter/exit", e);
        }
    }

    /**
     * {@code new SocketEventRecorder(connections, sink)} whatever functional interface the sink parameter is
     * ({@code Consumer}, {@code Predicate}, ...): a proxy passes each event to {@code sink} and answers
     * {@code true} where an answer is expected (accepted).
     */
    private static Object newWithSink(Class<?> type, Object connections, Consumer<Object> sink)
            throws ReflectiveOperationException {
        for (Constructor<?> c : type.getConstructors()) {
            Class<?>[] p = c.getParameterTypes();
            if (p.length == 2 && p[0].isInstance(connections) && p[1].isInterface()) {
                Object proxy = Proxy.newProxyInstance(AgentInternals.class.getClassLoader(), new Class<?>[] {p[1]},
                        (self, method, args) -> {
                            if (method.getDeclaringClass() == Object.class) {
                                return switch (method.getName()) {
                                    case "hashCode" -> System.identityHashCode(self);
                                    case "equals" -> self == args[0];
                                    default -> "sink";
                                };
                            }
                            if (!method.isDefault() && args != null && args.length == 1) {
                                sink.accept(args[0]);
                                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
                            }
                            return InvocationHandler.invokeDefault(self, method, args);
                        });
                return c.newInstance(connections, proxy);
            }
        }
        throw new NoSuchMethodException(type.getName() + "(OpenConnections, <functional interface>)");
    }

    /** The agent's close recorder: what the advice calls on the application's thread. */
    record Recorder(MethodHandle opened, MethodHandle enter, MethodHandle exit) {

        void opened(int api, int how, Object owner, FileDescriptor fd, Object local, Object remote, int port) {
            try {
                opened.invoke(api, how, owner, fd, local, remote, port);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        void close(int api, int op, Object owner, FileDescriptor fd, Object local, Object remote, int port) {
            try {
                Object token = enter.invoke(api, op, owner, fd, local, remote, port, false, false);
                if (token == null) {
                    throw new IllegalStateException("the recorder ignored the close (is the descriptor a TCP socket?)");
                }
                exit.invoke(token);
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** The agent's audit log: the bounded queue and its writer thread. */
    record AuditLog(Object log, MethodHandle submit) {

        /** The log as the agent opens it; an agent from before {@code compress} can only write it plain. */
        static AuditLog open(Path file, long rotateSize, int rotateKeep, boolean gzip, int queueSize, int stackDepth,
                             Object connections, Object errors, Map<String, Object> startFields) {
            try {
                Class<?> type = type("io.socketaudit.output.AuditLog");
                Class<?> captured = type("io.socketaudit.event.Captured");
                long pid = ProcessHandle.current().pid();
                Object log;
                try {
                    Class<?> finisher = Class.forName("io.socketaudit.event.EventFinisher");
                    Object events = finisher.getConstructor(connections.getClass(), int.class)
                            .newInstance(connections, stackDepth);
                    log = type.getConstructor(Path.class, long.class, int.class, boolean.class, int.class, long.class,
                            finisher, errors.getClass()).newInstance(file, rotateSize, rotateKeep, gzip, queueSize, pid,
                            events, errors);
                } catch (ClassNotFoundException | NoSuchMethodException newer) {
                    log = openBeforeFinisher(type, file, rotateSize, rotateKeep, gzip, queueSize, stackDepth, pid,
                            connections, errors);
                }
                type.getMethod("startWriting", Map.class).invoke(log, startFields);
                // submit(Captured) may answer whether the event was taken; the answer is not needed here
                MethodHandle submit = LOOKUP.unreflect(type.getMethod("submit", captured))
                        .bindTo(log).asType(MethodType.methodType(void.class, Object.class));
                return new AuditLog(log, submit);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("AuditLog(Path, long, int, boolean, int, long, EventFinisher, "
                        + "AgentErrors) with startWriting(Map) and submit(Captured)", e);
            }
        }

        /** An agent from before the events were finished apart from the log took the stack depth and connections. */
        private static Object openBeforeFinisher(Class<?> type, Path file, long rotateSize, int rotateKeep, boolean gzip,
                                                 int queueSize, int stackDepth, long pid, Object connections,
                                                 Object errors) throws ReflectiveOperationException {
            try {
                return type.getConstructor(Path.class, long.class, int.class, boolean.class, int.class, int.class,
                        long.class, connections.getClass(), errors.getClass()).newInstance(file, rotateSize,
                        rotateKeep, gzip, queueSize, stackDepth, pid, connections, errors);
            } catch (NoSuchMethodException e) {
                if (gzip) {
                    throw e;
                }
                return type.getConstructor(Path.class, long.class, int.class, int.class, int.class, long.class,
                        connections.getClass(), errors.getClass()).newInstance(file, rotateSize, rotateKeep,
                        queueSize, stackDepth, pid, connections, errors);
            }
        }

        void submit(Object event) {
            try {
                submit.invokeExact(event);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /** Writes what is queued and the agent_stop line, closes the file; waits for the writer. */
        void stop(long timeoutMillis) {
            try {
                log.getClass().getMethod("stop", String.class, boolean.class, long.class)
                        .invoke(log, "benchmark", false, timeoutMillis);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("AuditLog.stop(String, boolean, long)", e);
            }
        }
    }

    private static Object newInstance(String name) {
        try {
            return type(name).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("new " + name + "()", e);
        }
    }
}
