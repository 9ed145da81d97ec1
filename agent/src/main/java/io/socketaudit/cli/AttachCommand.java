package io.socketaudit.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.socketaudit.agent.AgentEntry;
import io.socketaudit.agent.AgentJar;
import io.socketaudit.agent.AgentRuntime;
import io.socketaudit.config.AgentConfig;
import io.socketaudit.config.ConfigException;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code attach PID [key=value,...]} loads the agent into a running JVM of the same user; {@code attach PID stop}
 * takes it out again. Everything that can be checked from outside is checked before attaching, so that a mistake
 * is told to whoever typed it rather than to the target's stderr; then one attach session asks the target whether
 * the agent runs there, loads it (or stops it) and reads back where it writes.
 */
final class AttachCommand extends Command {

    /** What was asked: the target, and the agent's options or {@link AgentEntry#STOP}. */
    private record Request(long pid, String options) {
        boolean stop() {
            return AgentEntry.STOP.equals(options);
        }
    }

    AttachCommand() {
        super("attach", "audit a running JVM from now on, or stop auditing it (the JVM runs on)",
                List.of("attach PID [key=value,...]", "attach PID stop"),
                """
                        Loads the agent into the running JVM PID, of this user, with the options an agent on the
                        command line takes; it audits from then on and says where it writes. With stop, the agent
                        flushes and closes its log and stops recording. The list command shows the JVMs one can
                        attach to.
                        """);
    }

    @Override
    void execute(List<String> args, PrintStream out, PrintStream err) throws UsageException, FailedException {
        Request request = request(args);
        checkTarget(request.pid());
        String agentJar = agentJar();
        VirtualMachine vm = attach(request.pid());
        try {
            out.println(request.stop() ? stop(vm, request, agentJar) : start(vm, request, agentJar));
        } finally {
            detach(vm);
        }
    }

    private static Request request(List<String> args) throws UsageException {
        if (args.isEmpty() || args.size() > 2) {
            throw new UsageException("takes a process id, then options or stop");
        }
        long pid;
        try {
            pid = Long.parseLong(args.get(0));
        } catch (NumberFormatException e) {
            throw new UsageException("'" + args.get(0) + "' is not a process id");
        }
        Request request = new Request(pid, args.size() == 2 ? args.get(1) : "");
        if (!request.stop()) {
            try {
                AgentConfig.parse(request.options(), new Properties(), Map.of(), pid);
            } catch (ConfigException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return request;
    }

    /** A live JVM of this user, other than this command, that accepts attach. */
    private static void checkTarget(long pid) throws FailedException {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            throw new FailedException("no process " + pid);
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new FailedException(pid + " is this command itself");
        }
        Optional<String> owner = process.get().info().user();
        if (owner.isPresent() && !owner.get().equals(System.getProperty("user.name"))) {
            throw new FailedException("process " + pid + " belongs to " + owner.get() + "; attach as that user");
        }
        if (!isAttachableJvm(pid)) {
            throw new FailedException("process " + pid + " is not a JVM that accepts attach"
                    + " (or it was started with -XX:+DisableAttachMechanism)");
        }
    }

    private static boolean isAttachableJvm(long pid) {
        String id = Long.toString(pid);
        return VirtualMachine.list().stream().map(VirtualMachineDescriptor::id).anyMatch(id::equals);
    }

    private static String agentJar() throws FailedException {
        try {
            return AgentJar.file().getPath();
        } catch (IOException e) {
            throw new FailedException(e.getMessage() + "; run attach with " + Main.LAUNCH);
        }
    }

    private static VirtualMachine attach(long pid) throws FailedException {
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (IOException | AttachNotSupportedException e) {
            throw cannotAttach(pid, e);
        }
    }

    private static String start(VirtualMachine vm, Request request, String agentJar) throws FailedException {
        long pid = request.pid();
        String running = logOfRunningAgent(vm, pid);
        if (running != null) {
            return "socket-audit: already auditing " + pid + "; audit log: " + running
                    + " (to change options: attach " + pid + " stop, then attach again)";
        }
        load(vm, pid, agentJar, request.options());
        String log = logOfRunningAgent(vm, pid);
        if (log == null) {
            throw new FailedException("the agent did not start in " + pid
                    + " (it says why on that process's stderr); the process runs unaudited");
        }
        return "socket-audit: attached to " + pid + "; audit log: " + log;
    }

    private static String stop(VirtualMachine vm, Request request, String agentJar) throws FailedException {
        long pid = request.pid();
        String running = logOfRunningAgent(vm, pid);
        if (running == null) {
            throw new FailedException("the agent is not running in " + pid + "; nothing to stop");
        }
        load(vm, pid, agentJar, AgentEntry.STOP);
        return "socket-audit: detached from " + pid + "; its log was flushed and closed: " + running;
    }

    /** The log the agent in that JVM writes, from its system properties; {@code null} when none runs. */
    private static String logOfRunningAgent(VirtualMachine vm, long pid) throws FailedException {
        try {
            return vm.getSystemProperties().getProperty(AgentRuntime.LOG_PROPERTY);
        } catch (IOException e) {
            throw cannotAttach(pid, e);
        }
    }

    private static void load(VirtualMachine vm, long pid, String agentJar, String options) throws FailedException {
        try {
            vm.loadAgent(agentJar, options);
        } catch (IOException | AgentLoadException | AgentInitializationException e) {
            throw cannotAttach(pid, e);
        }
    }

    private static FailedException cannotAttach(long pid, Exception e) {
        return new FailedException("could not attach to " + pid + ": " + e.getMessage());
    }

    private static void detach(VirtualMachine vm) {
        try {
            vm.detach();
        } catch (IOException e) {
            // the target went away meanwhile; nothing is left to release
        }
    }
}
