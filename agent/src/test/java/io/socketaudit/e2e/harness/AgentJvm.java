package io.socketaudit.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Starts a child JVM on a given JDK, with the agent attached (or not), and collects what it did:
 * exit code, stdout, stderr, and the parsed audit log.
 */
public final class AgentJvm {

    /** Upper bound for one child JVM; only a guard against a hang, never a synchronisation. */
    public static final long HANG_GUARD_SECONDS = 120;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EndToEndJdks.Jdk jdk;
    private String agentOptions;
    private boolean withAgent = true;
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<Path> classPath = new ArrayList<>();
    private Class<?> mainClass;
    private final List<String> args = new ArrayList<>();
    private Path workDir;
    private Path logFile;
    private String umask;
    private String beforeExec;
    private OtherUser user;

    private AgentJvm(EndToEndJdks.Jdk jdk) {
        this.jdk = jdk;
    }

    public static AgentJvm on(EndToEndJdks.Jdk jdk) {
        return new AgentJvm(jdk);
    }

    /** The agent jar the build produced; fails clearly when it is not there. */
    public static Path agentJar() {
        String configured = System.getProperty("socketaudit.agent.jar");
        Path jar = configured == null || configured.isBlank() || configured.startsWith("${")
                ? Paths.get(System.getProperty("basedir", "."), "target", "socket-audit-agent.jar")
                : Paths.get(configured);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar " + jar.toAbsolutePath() + " does not exist: build it with "
                    + "'mvn -B package' (failsafe runs the end-to-end tests after the shade step)");
        }
        return jar.toAbsolutePath();
    }

    /** The directory the e2e main classes were compiled to. */
    public static Path testClasses() {
        try {
            return Paths.get(AgentJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Attach the agent with {@code file=<logFile>}. */
    public AgentJvm logTo(Path logFile) {
        this.logFile = logFile;
        this.agentOptions = "file=" + logFile;
        this.withAgent = true;
        return this;
    }

    /** Attach the agent with these raw options (the text after {@code =}); {@code logFile} may be null. */
    public AgentJvm agentOptions(String options, Path expectedLogFile) {
        this.agentOptions = options;
        this.logFile = expectedLogFile;
        this.withAgent = true;
        return this;
    }

    /** Run the same program without any agent (to learn what the JDK and kernel do on their own). */
    public AgentJvm withoutAgent() {
        this.withAgent = false;
        this.agentOptions = null;
        this.logFile = null;
        return this;
    }

    public AgentJvm jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    public AgentJvm main(Class<?> mainClass, String... args) {
        this.mainClass = mainClass;
        this.args.addAll(List.of(args));
        return this;
    }

    /** Puts these jars or directories on the child's class path, after the e2e classes. */
    public AgentJvm classPath(List<Path> entries) {
        classPath.addAll(entries);
        return this;
    }

    /** Puts the jars (or directories) these classes come from on the child's class path, after the test classes. */
    public AgentJvm classpathOf(Class<?>... classes) {
        for (Class<?> type : classes) {
            try {
                classPath.add(Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return this;
    }

    /** Start the child under this umask (through /bin/sh), e.g. "000" to catch world-readable files. */
    public AgentJvm umask(String umask) {
        this.umask = umask;
        return this;
    }

    /**
     * Run this shell command first, in the shell that then becomes the JVM: {@code $$} in it is the JVM's pid.
     */
    public AgentJvm beforeExec(String shellCommand) {
        this.beforeExec = shellCommand;
        return this;
    }

    /** Start the child as this user (through setpriv; the test runs as root). */
    public AgentJvm runAs(OtherUser user) {
        this.user = user;
        return this;
    }

    public AgentJvm workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    public List<String> command() {
        List<String> command = new ArrayList<>();
        if (user != null) {
            command.addAll(user.setpriv());
        }
        if (umask != null || beforeExec != null) {
            String script = (umask != null ? "umask " + umask + " && " : "") + (beforeExec != null ? beforeExec + " && " : "");
            command.addAll(List.of("/bin/sh", "-c", script + "exec \"$@\"", "sh"));
        }
        command.add(jdk.java().toString());
        if (withAgent) {
            command.add("-javaagent:" + agentJar() + (agentOptions == null ? "" : "=" + agentOptions));
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        List<String> entries = new ArrayList<>();
        entries.add(testClasses().toString());
        classPath.forEach(entry -> entries.add(entry.toString()));
        command.add(String.join(java.io.File.pathSeparator, entries));
        command.add(mainClass.getName());
        command.addAll(args);
        return command;
    }

    /** Starts the child; the caller waits for it with {@link Running#awaitExit()}. */
    public Running start() throws IOException {
        if (mainClass == null) {
            throw new IllegalStateException("no main class");
        }
        ProcessBuilder builder = new ProcessBuilder(command());
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Map<String, String> env = builder.environment();
        // Hermetic child: no configuration from the test runner's environment reaches the agent.
        env.keySet().removeIf(k -> k.startsWith("SOCKETAUDIT_"));
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        Process process = builder.start();
        process.getOutputStream().close();
        return new Running(this, process);
    }

    /** Starts the child and waits for it to exit. */
    public Result run() throws IOException, InterruptedException {
        return start().awaitExit();
    }

    /** A child JVM that is running. */
    public static final class Running {
        private final AgentJvm spec;
        private final Process process;
        private final ChildLines stdout;
        private final ChildLines stderr;

        private Running(AgentJvm spec, Process process) {
            this.spec = spec;
            this.process = process;
            this.stdout = new ChildLines(process.getInputStream(), "child-stdout-" + process.pid());
            this.stderr = new ChildLines(process.getErrorStream(), "child-stderr-" + process.pid());
        }

        public long pid() {
            return process.pid();
        }

        public Process process() {
            return process;
        }

        /** Waits until the child prints a matching stdout line (a handshake with the child). */
        public String awaitStdout(Predicate<String> matching) throws InterruptedException {
            ChildLines.Found found = stdout.await(0, matching, HANG_GUARD_SECONDS);
            String line = found == null ? null : found.line();
            if (line == null) {
                throw new AssertionError("the child never printed the expected line on stdout; "
                        + describe());
            }
            return line;
        }

        /** Waits until the child prints a matching stderr line (the agent says something). */
        public String awaitStderr(Predicate<String> matching) throws InterruptedException {
            ChildLines.Found found = stderr.await(0, matching, HANG_GUARD_SECONDS);
            if (found == null) {
                throw new AssertionError("the child never printed the expected line on stderr; " + describe());
            }
            return found.line();
        }

        public Result awaitExit() throws InterruptedException {
            if (!process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                stdout.join();
                stderr.join();
                throw new AssertionError("child JVM still running after the " + HANG_GUARD_SECONDS
                        + " s hang guard; killed. " + describe());
            }
            stdout.join();
            stderr.join();
            return new Result(spec, process.pid(), process.exitValue(), stdout.snapshot(), stderr.snapshot());
        }

        private String describe() {
            return "command: " + String.join(" ", spec.command()) + "\nstdout:\n" + String.join("\n", stdout.snapshot())
                    + "\nstderr:\n" + String.join("\n", stderr.snapshot());
        }
    }

    /** What a finished child did. */
    public static final class Result {
        private final AgentJvm spec;
        private final long pid;
        private final int exitCode;
        private final List<String> stdout;
        private final List<String> stderr;
        private List<JsonNode> log;

        Result(AgentJvm spec, long pid, int exitCode, List<String> stdout, List<String> stderr) {
            this.spec = spec;
            this.pid = pid;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        public long pid() {
            return pid;
        }

        public int exitCode() {
            return exitCode;
        }

        public List<String> stdout() {
            return stdout;
        }

        public List<String> stderr() {
            return stderr;
        }

        public Path logFile() {
            return spec.logFile;
        }

        /** Every line of the log, parsed; a line that is not one JSON object fails the test. */
        public List<JsonNode> log() {
            if (log == null) {
                log = parseLog(spec.logFile);
            }
            return log;
        }

        /** A summary for assertion messages: the command, exit code, stdout and stderr. */
        public String describe() {
            return "command: " + String.join(" ", spec.command()) + "\nexit code: " + exitCode
                    + "\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + String.join("\n", stderr);
        }
    }

    /** Reads a JSON Lines file; a line that is not one JSON object fails the test. */
    public static List<JsonNode> parseLog(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            throw new AssertionError("the agent wrote no log file at " + file);
        }
        try {
            return parseLines(Files.readString(file, StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses JSON Lines read from {@code file}; a line that is not one JSON object fails the test. */
    public static List<JsonNode> parseLines(String text, Path file) {
        List<String> lines = text.lines().toList();
        List<JsonNode> nodes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            try {
                JsonNode node = JSON.readTree(line);
                if (node == null || !node.isObject()) {
                    throw new AssertionError("log line " + (i + 1) + " of " + file + " is not a JSON object: " + line);
                }
                nodes.add(node);
            } catch (IOException e) {
                throw new AssertionError("log line " + (i + 1) + " of " + file + " is not valid JSON: " + line, e);
            }
        }
        return nodes;
    }
}
