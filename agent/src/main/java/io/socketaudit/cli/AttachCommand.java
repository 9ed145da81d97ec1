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
 * {@code attach PID [key=value,...]} loads the agent into a running JVM of the same user;
 * {@code attach PID stop} takes it out again; {@code list} shows the JVMs one can attach to.
 * Everything that can be checked from outside is checked before attaching, so that a mistake is told to
 * whoever typed it rather than to the target's stderr; then one attach session asks the target whether
 * the agent runs there, loads it (or stops it) and reads back where it writes.
 */
final class AttachCommand {

    private static final String PREFIX = "socket-audit attach: ";

    /** Why the command did not do what was asked: one line for stderr, and the exit status. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private AttachCommand() {
    }

    static int attach(List<String> args, PrintStream out, PrintStream err) {
        try {
            out.println(attachOrStop(args));
            return Main.OK;
        } catch (Refused r) {
            err.println(PREFIX + r.getMessage());
            return r.status;
        }
    }

    /** Does what {@code args} ask and returns the line that says what was done. */
    private static String attachOrStop(List<String> args) throws Refused {
        if (args.isEmpty() || args.size() > 2) {
            throw new Refused(Main.USAGE, "usage: attach PID [key=value,...|stop]");
        }
        long pid = processId(args.get(0));
        String options = args.size() == 2 ? args.get(1) : "";
        boolean stop = AgentEntry.STOP.equals(options);
        if (!stop) {
            try {
                AgentConfig.parse(options, new Properties(), Map.of(), pid);
            } catch (ConfigException e) {
                throw new Refused(Main.USAGE, e.getMessage());
            }
        }
        checkTarget(pid);
        String agentJar;
        try {
            agentJar = AgentJar.file().getPath();
        } catch (IOException e) {
            throw new Refused(Main.FAILURE, e.getMessage() + "; run attach with java -jar socket-audit-agent.jar");
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (IOException | AttachNotSupportedException e) {
            throw new Refused(Main.FAILURE, "could not attach to " + pid + ": " + e.getMessage());
        }
        try {
            String runningLog = logOfRunningAgent(vm);
            if (stop) {
                if (runningLog == null) {
                    throw new Refused(Main.FAILURE, "the agent is not running in " + pid + "; nothing to stop");
                }
                vm.loadAgent(agentJar, AgentEntry.STOP);
                return "socket-audit: detached from " + pid + "; its log was flushed and closed: " + runningLog;
            }
            if (runningLog != null) {
                return "socket-audit: already auditing " + pid + "; audit log: " + runningLog
                        + " (to change options: attach " + pid + " stop, then attach again)";
            }
            vm.loadAgent(agentJar, options);
            String log = logOfRunningAgent(vm);
            if (log == null) {
                throw new Refused(Main.FAILURE, "the agent did not start in " + pid
                        + " (it says why on that process's stderr); the process runs unaudited");
            }
            return "socket-audit: attached to " + pid + "; audit log: " + log;
        } catch (IOException | AgentLoadException | AgentInitializationException e) {
            throw new Refused(Main.FAILURE, "could not attach to " + pid + ": " + e.getMessage());
        } finally {
            try {
                vm.detach();
            } catch (IOException e) {
                // the target went away meanwhile; nothing is left to release
            }
        }
    }

    private static long processId(String text) throws Refused {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new Refused(Main.USAGE, "'" + text + "' is not a process id");
        }
    }

    /** A live JVM of this user, other than this command, that accepts attach. */
    private static void checkTarget(long pid) throws Refused {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            throw new Refused(Main.FAILURE, "no process " + pid);
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new Refused(Main.FAILURE, pid + " is this command itself");
        }
        Optional<String> owner = process.get().info().user();
        if (owner.isPresent() && !owner.get().equals(System.getProperty("user.name"))) {
            throw new Refused(Main.FAILURE, "process " + pid + " belongs to " + owner.get() + "; attach as that user");
        }
        if (!isAttachableJvm(pid)) {
            throw new Refused(Main.FAILURE, "process " + pid + " is not a JVM that accepts attach"
                    + " (or it was started with -XX:+DisableAttachMechanism)");
        }
    }

    /** The log the agent in that JVM writes, from its system properties; {@code null} when none runs. */
    private static String logOfRunningAgent(VirtualMachine vm) throws IOException {
        return vm.getSystemProperties().getProperty(AgentRuntime.LOG_PROPERTY);
    }

    static int list(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.println("socket-audit list: takes no arguments");
            return Main.USAGE;
        }
        long self = ProcessHandle.current().pid();
        for (VirtualMachineDescriptor vm : VirtualMachine.list()) {
            if (!vm.id().equals(Long.toString(self))) {
                String name = vm.displayName().isBlank() ? "(no main class)" : vm.displayName();
                out.println(vm.id() + " " + name);
            }
        }
        return Main.OK;
    }

    private static boolean isAttachableJvm(long pid) {
        String id = Long.toString(pid);
        for (VirtualMachineDescriptor vm : VirtualMachine.list()) {
            if (vm.id().equals(id)) {
                return true;
            }
        }
        return false;
    }
}
