package io.socketaudit.agent;

import io.socketaudit.bootstrap.CloseBridge;
import io.socketaudit.config.AgentConfig;
import io.socketaudit.config.ConfigException;
import io.socketaudit.event.CloseRecorder;
import io.socketaudit.event.OpenConnections;
import io.socketaudit.instrumentation.AdvisedTypes;
import io.socketaudit.instrumentation.CloseInstrumentation;
import io.socketaudit.instrumentation.DeferredTransformer;
import io.socketaudit.kernel.KernelProbe;
import io.socketaudit.output.AgentErrors;
import io.socketaudit.output.AuditLog;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts the agent once the bridge is on the bootstrap class path, and stops it again when asked by
 * {@code attach PID stop}. Any problem with the configuration or the log file is one line on stderr and
 * the application runs unaudited: the agent never stops the application.
 */
public final class AgentRuntime {

    private static final String PREFIX = "socket-audit: ";
    /**
     * Set while the agent runs, to the log it writes: the attach command reads it from the target JVM to
     * tell whether the agent is there. Outside the {@code socketaudit.} configuration names on purpose.
     */
    public static final String LOG_PROPERTY = "io.socketaudit.log";

    /** How long JVM exit may wait for the last lines to reach the file. */
    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    /**
     * How long a socket class may wait for the agent to get ready before it loads unadvised (and is advised
     * later, with an agent_error saying so): a bound, should the application hold a lock the start needs.
     */
    private static final long MAX_CLASS_WAIT_MILLIS = 10_000;

    /** The agent while it runs; {@code null} before start, after stop, or when it could not start. */
    private static Running running;

    private record Running(AuditLog log, Thread shutdownHook, DeferredTransformer transformer, Thread init,
                           Instrumentation instrumentation) {
    }

    private AgentRuntime() {
    }

    /**
     * Starts the agent. Only what must fail loudly or must be in place before the application goes on runs
     * here: the configuration, the log file, and a transformer that holds back the JDK's socket classes until
     * the agent is ready. At JVM start, Byte Buddy, Jackson and the kernel probe are then loaded on a
     * background thread, so that they do not delay the application's {@code main}; when socket classes are
     * loaded already (always when attaching to a running JVM), they can only be advised by retransformation,
     * so this waits until the agent is ready, and every close from then on is seen.
     */
    public static synchronized void start(String args, Instrumentation instrumentation, boolean attached) {
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
        AgentErrors errors = new AgentErrors();
        OpenConnections connections = new OpenConnections();
        AuditLog log;
        try {
            log = new AuditLog(config.file(), config.rotateSize(), config.rotateKeep(), config.gzip(),
                    config.queueSize(), config.stackDepth(), pid, connections, errors);
        } catch (IOException | RuntimeException e) {
            unaudited("cannot write the audit log " + config.file() + " (" + e + ")");
            return;
        }
        DeferredTransformer transformer = new DeferredTransformer(AdvisedTypes.internalNames(), MAX_CLASS_WAIT_MILLIS);
        instrumentation.addTransformer(transformer, true);
        Thread init = new Thread(() -> finishStart(config, pid, log, connections, errors, transformer, instrumentation),
                "socket-audit-init");
        init.setDaemon(true);
        transformer.preparedBy(init);
        init.start();
        if (attached || !loadedAdvisedTypes(instrumentation).isEmpty()) {
            // Classes loaded already are advised only by retransformation once the agent is ready: until
            // then their closes would go unseen, so the application waits (JDK 25 loads SocketChannelImpl
            // before any agent starts; at attach, everything is loaded).
            awaitInit(init);
        }
        Thread hook = new Thread(() -> {
            awaitInit(init);
            log.stop("shutdown", true, STOP_TIMEOUT_MILLIS);
        }, "socket-audit-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        running = new Running(log, hook, transformer, init, instrumentation);
        System.setProperty(LOG_PROPERTY, config.file().toString());
    }

    private static void finishStart(AgentConfig config, long pid, AuditLog log, OpenConnections connections,
                                    AgentErrors errors, DeferredTransformer transformer,
                                    Instrumentation instrumentation) {
        try {
            String probe = KernelProbe.load(BootstrapJar.privateDirectory()) == null ? "jni" : KernelProbe.describe();
            log.startWriting(startFields(config, pid, probe));
            CloseBridge.setListener(new CloseRecorder(connections, log::submit));
            Set<String> advised = ConcurrentHashMap.newKeySet();
            System.setProperty(BYTE_BUDDY_SAFE_MODE, "true");
            try {
                transformer.open(CloseInstrumentation.transformer(advised,
                        (type, error) -> errors.record("advising " + type, error)));
            } finally {
                System.clearProperty(BYTE_BUDDY_SAFE_MODE);
            }
            retransformAdvisedTypes(instrumentation);
            if (transformer.waitedTooLong()) {
                errors.record("starting", new IllegalStateException("socket classes loaded before the agent was "
                        + "ready were advised late; closes in between were not recorded"));
            }
        } catch (Throwable t) {
            transformer.abandon();
            errors.record("starting", t);
        }
    }

    /** Already loaded socket classes get the advice now, or lose it on detach. */
    private static void retransformAdvisedTypes(Instrumentation instrumentation) throws Exception {
        List<Class<?>> loaded = loadedAdvisedTypes(instrumentation);
        if (!loaded.isEmpty()) {
            instrumentation.retransformClasses(loaded.toArray(new Class<?>[0]));
        }
    }

    private static List<Class<?>> loadedAdvisedTypes(Instrumentation instrumentation) {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (AdvisedTypes.NAMES.contains(type.getName())) {
                loaded.add(type);
            }
        }
        return loaded;
    }

    private static void awaitInit(Thread init) {
        try {
            init.join(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        System.clearProperty(LOG_PROPERTY);
        awaitInit(r.init());
        CloseBridge.setListener(null);
        r.instrumentation().removeTransformer(r.transformer());
        try {
            retransformAdvisedTypes(r.instrumentation());
        } catch (Exception e) {
            System.err.println(PREFIX + "could not remove the advice (" + e + "); it stays, silent");
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
