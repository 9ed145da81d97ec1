package io.socketaudit.e2e.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the agent jar's command line, {@code <jdk>/bin/java -jar socket-audit-agent.jar ARGS}, on one JDK. */
public final class AttachCli {

    /** What one run of the command printed and returned. */
    public record Result(List<String> command, int exitCode, List<String> stdout, List<String> stderr) {

        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + String.join("\n", stderr);
        }
    }

    private AttachCli() {
    }

    public static Result run(EndToEndJdks.Jdk jdk, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.add("-jar");
        command.add(AgentJvm.agentJar().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        LifecycleJvm.hermetic(builder.environment());
        Process process = builder.start();
        process.getOutputStream().close();
        Drain out = new Drain(process.getInputStream());
        Drain err = new Drain(process.getErrorStream());
        if (!process.waitFor(LifecycleJvm.HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            throw new AssertionError("'" + String.join(" ", command) + "' still running after the "
                    + LifecycleJvm.HANG_GUARD_SECONDS + " s hang guard; killed. stdout: " + out.lines()
                    + " stderr: " + err.lines());
        }
        return new Result(command, process.exitValue(), out.lines(), err.lines());
    }

    /** Reads a stream to its end in the background. */
    private static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(() -> {
                try (in) {
                    in.transferTo(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "attach-cli-drain");
            thread.setDaemon(true);
            thread.start();
        }

        List<String> lines() {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(LifecycleJvm.HANG_GUARD_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            return text.lines().toList();
        }
    }
}
