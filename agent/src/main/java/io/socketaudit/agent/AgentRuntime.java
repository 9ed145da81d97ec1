package io.socketaudit.agent;

import io.socketaudit.bootstrap.CloseBridge;
import io.socketaudit.config.AgentConfig;
import io.socketaudit.config.ConfigException;
import io.socketaudit.event.CloseRecorder;
import io.socketaudit.event.OpenConnections;
import io.socketaudit.instrumentation.CloseInstrumentation;
import io.socketaudit.kernel.KernelProbe;
import io.socketaudit.output.AgentErrors;
import io.socketaudit.output.AuditLog;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts the agent once the bridge is on the bootstrap class path: configuration, log file, kernel
 * probe, writer thread, then the advice; and stops it again when asked by {@code attach PID stop}. Any
 * problem with the configuration or the log file is one line on stderr and the application runs
 * unaudited: the agent never stops the application.
 */
public final class AgentRuntime {

    private static final String PREFIX = "socket-audit: ";
    /** How long JVM exit may wait for the last lines to reach the file. */
    private static final long STOP_TIMEOUT_MILLIS = 5_000;

    /** The agent while it runs; {@code null} before start, after stop, or when it could not start. */
    private static Running running;

    private record Running(AuditLog log, Thread shutdownHook, ResettableClassFileTransformer transformer,
                           Instrumentation instrumentation) {
    }

    private AgentRuntime() {
    }

    /** Whether this JVM is being audited right now. */
    public static synchronized boolean isRunning() {
        return running != null;
    }

    public static synchronized void start(String args, Instrumentation instrumentation) {
        if (running != null) {
            System.err.println(PREFIX + "already running in this JVM; this start is ignored");
            return;
        }
        long pid = ProcessHandle.current().pid();
        AgentConfig config;
        try {
            config = AgentConfig.parse(args, System.getProperties(), System.getenv(), pid);
        } catch (ConfigException e) {
            unaudited(e.getMessage());
            return;
        }
        String probe = KernelProbe.load() == null ? "jni" : "unavailable: " + KernelProbe.describe();
        AgentErrors errors = new AgentErrors();
        OpenConnections connections = new OpenConnections();
        AuditLog log;
        try {
            log = new AuditLog(config.file(), config.rotateSize(), config.rotateKeep(), config.queueSize(),
                    config.stackDepth(), pid, startFields(config, pid, probe), connections, errors);
        } catch (IOException | RuntimeException e) {
            unaudited("cannot write the audit log " + config.file() + " (" + e + ")");
            return;
        }
        log.startWriting();
        Thread hook = new Thread(() -> log.stop("shutdown", true, STOP_TIMEOUT_MILLIS), "socket-audit-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        CloseBridge.setListener(new CloseRecorder(connections, log::submit));
        Set<String> advised = ConcurrentHashMap.newKeySet();
        ResettableClassFileTransformer transformer = null;
        try {
            System.setProperty(BYTE_BUDDY_SAFE_MODE, "true");
            transformer = CloseInstrumentation.install(instrumentation, advised,
                    (type, error) -> errors.record("advising " + type, error));
        } catch (RuntimeException | LinkageError e) {
            errors.record("installing the instrumentation", e);
        } finally {
            System.clearProperty(BYTE_BUDDY_SAFE_MODE);
        }
        running = new Running(log, hook, transformer, instrumentation);
    }

    /**
     * Detaches: the JDK's classes get their original code back, the log is flushed and closed with
     * {@code agent_stop}, and the application goes on as if the agent had never been there.
     */
    public static synchronized void stop() {
        Running r = running;
        if (r == null) {
            System.err.println(PREFIX + "not running in this JVM; nothing to stop");
            return;
        }
        running = null;
        CloseBridge.setListener(null);
        if (r.transformer() != null) {
            r.transformer().reset(r.instrumentation(), AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(r.shutdownHook());
        } catch (IllegalStateException e) {
            return; // the JVM is exiting: the hook writes the last lines
        }
        r.log().stop("detach", false, STOP_TIMEOUT_MILLIS);
    }

    /** Keeps Byte Buddy off sun.misc.Unsafe, which JDK 25 warns about. */
    private static final String BYTE_BUDDY_SAFE_MODE = "net.bytebuddy.safe";

    private static Map<String, Object> startFields(AgentConfig config, long pid, String probe) {
        Map<String, Object> fields = new LinkedHashMap<>();
        String version = AgentRuntime.class.getPackage().getImplementationVersion();
        fields.put("agentVersion", version != null ? version : "dev");
        fields.put("jdk", System.getProperty("java.runtime.version"));
        fields.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        fields.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        fields.put("config", new TreeMap<>(config.effective()));
        fields.put("kernelProbe", probe);
        return fields;
    }

    private static void unaudited(String problem) {
        System.err.println(PREFIX + problem + "; the application runs UNAUDITED");
    }
}
