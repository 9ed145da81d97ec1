package io.socketaudit.agent;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.config.AgentConfig;
import io.socketaudit.config.ConfigException;
import io.socketaudit.event.ApplicationFrames;
import io.socketaudit.event.SocketEventRecorder;
import io.socketaudit.event.EventFinisher;
import io.socketaudit.event.OpenConnections;
import io.socketaudit.instrumentation.AdvisedTypes;
import io.socketaudit.instrumentation.SocketInstrumentation;
import io.socketaudit.instrumentation.WovenClass;
import io.socketaudit.kernel.NativeLibrary;
import io.socketaudit.logformat.Field;
import io.socketaudit.output.AgentErrors;
import io.socketaudit.output.AuditLog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
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

    /** How long JVM exit may wait for the woven JDK classes to be written for later runs, Byte Buddy being ready. */
    private static final long KEEP_WOVEN_TIMEOUT_MILLIS = 2_000;

    /** The agent while it runs; {@code null} before start, after stop, or when it could not start. */
    private static Running running;

    private record Running(AuditLog log, Thread shutdownHook, ClassFileTransformer transformer,
                           Instrumentation instrumentation) {
    }

    private AgentRuntime() {
    }

    /**
     * Starts the agent: the configuration, the log file with its {@code agent_start} line, the kernel probe,
     * the listener behind the bridge, and the transformer. None of these loads Byte Buddy: the transformer
     * weaves a socket class's advice when that class loads, on the thread loading it, while a daemon thread
     * gets Byte Buddy ready in the meantime; JVM exit waits for neither. Socket classes loaded already (always
     * when attaching to a running JVM) are advised here, by retransformation, so that every close from now on
     * is seen.
     */
    public static synchronized void start(String args, Instrumentation instrumentation) {
        if (running != null) {
            System.err.println(PREFIX + "already running in this JVM; this start is ignored");
            return;
        }
        long pid = ProcessId.current();
        AgentConfig config;
        try {
            config = AgentConfig.parse(args, System.getProperties(), System.getenv(), pid);
        } catch (ConfigException e) {
            unaudited(e.getMessage());
            return;
        }
        AgentErrors errors = new AgentErrors();
        OpenConnections connections = new OpenConnections();
        Map<String, byte[]> jarEntries;
        try {
            jarEntries = AgentJar.read(List.of(NativeLibrary.RESOURCE, WovenClassCache.FINGERPRINT_ENTRY));
        } catch (IOException e) {
            jarEntries = Map.of();
            errors.record("reading the agent jar", e);
        }
        // Before the log: the library also tells the log what the file it opened really is (fstat).
        String kernelProbe = loadKernelProbe(jarEntries.get(NativeLibrary.RESOURCE));
        WovenClassCache cache = wovenClassCache(config, jarEntries.get(WovenClassCache.FINGERPRINT_ENTRY));
        WovenClassCache.Found wovenEarlier = cache != null ? cache.load()
                : WovenClassCache.Found.nothing(config.cache() == null ? "off" : "off: the agent jar has no advice fingerprint");
        if (wovenEarlier.problem() != null) {
            errors.record("reading the woven class cache", wovenEarlier.problem());
        }
        AuditLog log;
        try {
            log = new AuditLog(config.file(), config.rotateSize(), config.rotateKeep(), config.gzip(),
                    config.queueSize(), pid, new EventFinisher(connections, config.stackDepth()), errors);
            log.startWriting(startFields(config, pid, kernelProbe, wovenEarlier.status()));
        } catch (IOException | RuntimeException e) {
            unaudited("cannot write the audit log " + config.file() + " (" + e + ")");
            return;
        }
        ApplicationFrames.addLibraries(config.libraries());
        SocketBridge.setListener(new SocketEventRecorder(connections, log::submit));
        Set<String> transformed = ConcurrentHashMap.newKeySet();
        SocketInstrumentation transformer = SocketInstrumentation.transformer(transformed, wovenEarlier.classes(),
                (type, error) -> errors.record("advising " + type, error));
        instrumentation.addTransformer(transformer, true);
        try {
            retransformAdvisedTypes(instrumentation);
        } catch (Exception | LinkageError e) {
            errors.record("advising the socket classes loaded before the agent", e);
        }
        if (cache != null && !SocketInstrumentation.coversJdk(wovenEarlier.classes())) {
            transformer.prepareInBackground(classes -> keepWoven(cache, classes, errors));
        } else if (cache == null && transformed.isEmpty()) {
            transformer.prepareInBackground(null); // no socket class yet: prepare the weaving meanwhile
        }
        Thread hook = new Thread(() -> {
            try {
                transformer.finishKeeping(KEEP_WOVEN_TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.stop("shutdown", true, STOP_TIMEOUT_MILLIS);
        }, "socket-audit-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        running = new Running(log, hook, transformer, instrumentation);
        System.setProperty(LOG_PROPERTY, config.file().toString());
    }

    /**
     * The cache of woven JDK classes, or {@code null} when {@code cache=off} or when the jar has no advice
     * fingerprint (classes not from the built jar), without which nothing woven could be told apart.
     */
    private static WovenClassCache wovenClassCache(AgentConfig config, byte[] fingerprint) {
        if (config.cache() == null || fingerprint == null) {
            return null;
        }
        return new WovenClassCache(config.cache(), new String(fingerprint, StandardCharsets.US_ASCII).trim(),
                System.getProperty("java.home"), System.getProperty("java.vm.version"));
    }

    /**
     * What {@code prepare} does: weaves the JDK's socket classes of this JVM's JDK and writes them into the woven
     * class cache the agent would use with these system properties and environment ({@code cache} configured as
     * for the agent), so that not even an application's first start with the agent loads Byte Buddy. Returns one
     * line saying what was written where, once the file has been read back as a start would read it.
     */
    public static String prepareWovenClasses(Properties properties, Map<String, String> env)
            throws ConfigException, IOException {
        AgentConfig config = AgentConfig.parse(null, properties, env, ProcessId.current());
        if (config.cache() == null) {
            throw new ConfigException("the woven class cache is off (cache=off, or a user without a home directory); "
                    + "give a directory with --cache");
        }
        byte[] fingerprint = AgentJar.read(List.of(WovenClassCache.FINGERPRINT_ENTRY)).get(WovenClassCache.FINGERPRINT_ENTRY);
        WovenClassCache cache = wovenClassCache(config, fingerprint);
        List<WovenClass> classes = SocketInstrumentation.wovenJdkClasses();
        cache.store(classes);
        WovenClassCache.Found found = cache.load();
        if (found.problem() != null || found.classes().size() != classes.size()) {
            throw new IOException("wrote " + cache.file() + " but a start would not use it: " + found.status());
        }
        return "wrote " + classes.size() + " of " + AdvisedTypes.NAMES.size() + " JDK classes for "
                + System.getProperty("java.home") + " (" + System.getProperty("java.vm.version") + ") to " + cache.file();
    }

    /** On the thread that prepared Byte Buddy: a failure is the log's to tell, the application never hears of it. */
    private static void keepWoven(WovenClassCache cache, List<WovenClass> classes, AgentErrors errors) {
        try {
            cache.store(classes);
        } catch (IOException | RuntimeException e) {
            errors.record("writing the woven class cache in " + cache.directory(), e);
        }
    }

    /** Loaded before the log opens: the log and its writer use the library too. Without it the agent works with less. */
    private static String loadKernelProbe(byte[] library) {
        if (library == null) {
            return "unavailable: the agent jar could not be read (an agent_error says why)";
        }
        try {
            Path directory = PrivateDirectory.create();
            try {
                return NativeLibrary.load(directory, library) == null ? "jni" : NativeLibrary.describe();
            } finally {
                PrivateDirectory.remove(directory);
            }
        } catch (IOException e) {
            return "unavailable: " + e;
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
            // Netty's by suffix, in any loader but the boot loader, as the transformer matches them.
            if (AdvisedTypes.NAMES.contains(type.getName())
                    || (type.getClassLoader() != null && AdvisedTypes.isNetty(type.getName().replace('.', '/')))) {
                loaded.add(type);
            }
        }
        return loaded;
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
        SocketBridge.setListener(null);
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

    private static Map<String, Object> startFields(AgentConfig config, long pid, String probe, String cache) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(Field.AGENT_VERSION, AgentJar.version());
        fields.put(Field.JDK, System.getProperty("java.runtime.version"));
        fields.put(Field.VM, String.join(" ", System.getProperty("java.vm.name"), System.getProperty("java.vm.version")));
        fields.put(Field.OS, String.join(" ", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch")));
        fields.put(Field.CONFIG, new TreeMap<>(config.effective()));
        fields.put(Field.KERNEL_PROBE, probe);
        fields.put(Field.WOVEN_CLASS_CACHE, cache);
        return fields;
    }

    private static void unaudited(String problem) {
        System.err.println(PREFIX + problem + "; the application runs UNAUDITED");
    }
}
