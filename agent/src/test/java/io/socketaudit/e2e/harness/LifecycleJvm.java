package io.socketaudit.e2e.harness;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM the test talks to: commands go in as lines on its stdin, and the test waits for the
 * lines it answers on stdout. The command line comes from {@link AgentJvm#command()} (with or
 * without the agent); unlike {@link AgentJvm#start()}, stdin stays open.
 *
 * <p>Every wait is a handshake on a line the child prints; the time limit is only a guard against
 * a hang.
 */
public final class LifecycleJvm implements AutoCloseable {

    static final long HANG_GUARD_SECONDS = AgentJvm.HANG_GUARD_SECONDS;

    private final List<String> command;
    private final Process process;
    private final PrintWriter stdin;
    private final ChildLines stdout;
    private final ChildLines stderr;
    private int stdoutCursor;

    private LifecycleJvm(List<String> command, Process process) {
        this.command = command;
        this.process = process;
        this.stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        this.stdout = new ChildLines(process.getInputStream(), "lifecycle-stdout-" + process.pid());
        this.stderr = new ChildLines(process.getErrorStream(), "lifecycle-stderr-" + process.pid());
    }

    /** Starts {@code spec}'s command line in {@code dir}, with none of the runner's agent configuration. */
    public static LifecycleJvm start(AgentJvm spec, Path dir) throws IOException {
        return start(spec.command(), dir);
    }

    /** Starts a command line (e.g. a JVM wrapped in another command) in {@code dir}, hermetically as above. */
    public static LifecycleJvm start(List<String> command, Path dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        hermetic(builder.environment());
        return new LifecycleJvm(command, builder.start());
    }

    /** No configuration from the test runner's environment reaches a child JVM or the agent in it. */
    static void hermetic(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("SOCKETAUDIT_"));
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("_JAVA_OPTIONS");
    }

    /** A directory for one run: under target/e2e-runs when run by Maven (kept for inspection), else a temp dir. */
    public static Path runDirectory(String prefix) throws IOException {
        String basedir = System.getProperty("basedir");
        if (basedir != null && Files.isDirectory(Path.of(basedir, "target"))) {
            Path parent = Files.createDirectories(Path.of(basedir, "target", "e2e-runs"));
            return Files.createTempDirectory(parent, prefix);
        }
        return Files.createTempDirectory(prefix);
    }

    public long pid() {
        return process.pid();
    }

    /** Sends one command line. */
    public void send(String line) {
        stdin.println(line);
        if (stdin.checkError()) {
            throw new AssertionError("could not send '" + line + "' to the child: " + describe());
        }
    }

    /**
     * Waits for the next stdout line (after the one the previous wait returned) that matches; lines
     * skipped on the way are not looked at again.
     */
    String await(Predicate<String> matching) throws InterruptedException {
        ChildLines.Found found = stdout.await(stdoutCursor, matching, HANG_GUARD_SECONDS);
        if (found == null) {
            throw new AssertionError("the child never printed the expected line on stdout; " + describe());
        }
        stdoutCursor = found.index() + 1;
        return found.line();
    }

    /** Waits for the next stdout line that starts with {@code prefix}. */
    public String awaitPrefix(String prefix) throws InterruptedException {
        return await(l -> l.startsWith(prefix));
    }

    /** Sends {@code command} and waits for the child's answer, a line starting {@code "done " + command}. */
    public String call(String command) throws InterruptedException {
        send(command);
        return awaitPrefix("done " + command);
    }

    /** Closes stdin (the child's signal to finish, for those that read to the end) and waits for the exit code. */
    public int awaitExit() throws InterruptedException {
        stdin.close();
        if (!process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            throw new AssertionError("child JVM still running after the " + HANG_GUARD_SECONDS
                    + " s hang guard; killed. " + describe());
        }
        stdout.join();
        stderr.join();
        return process.exitValue();
    }

    List<String> stdout() {
        return stdout.snapshot();
    }

    public List<String> stderr() {
        return stderr.snapshot();
    }

    public String describe() {
        return "command: " + String.join(" ", command) + "\nstdout:\n" + String.join("\n", stdout.snapshot())
                + "\nstderr:\n" + String.join("\n", stderr.snapshot());
    }

    /** Kills the child if a failed test left it running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        }
    }
}
