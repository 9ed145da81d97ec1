package io.socketaudit.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.socketaudit.agent.AgentRuntime;
import io.socketaudit.config.AgentConfig;
import io.socketaudit.config.ConfigException;
import net.bytebuddy.agent.ByteBuddyAgent;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code attach PID [key=value,...]} loads the agent into a running JVM of the same user;
 * {@code attach PID stop} takes it out again; {@code list} shows the JVMs one can attach to.
 */
final class AttachCommand {

    private static final String STOP = "stop";

    private AttachCommand() {
    }

    static int attach(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.size() > 2) {
            err.println("socket-audit attach: usage: attach PID [key=value,...|stop]");
            return Main.USAGE;
        }
        long pid;
        try {
            pid = Long.parseLong(args.get(0));
        } catch (NumberFormatException e) {
            err.println("socket-audit attach: '" + args.get(0) + "' is not a process id");
            return Main.USAGE;
        }
        String options = args.size() == 2 ? args.get(1) : "";
        boolean stop = STOP.equals(options);
        if (!stop) {
            try {
                // Checked here so a mistake is reported to the one who typed it, not to the target's stderr.
                AgentConfig.parse(options, new Properties(), Map.of(), pid);
            } catch (ConfigException e) {
                err.println("socket-audit attach: " + e.getMessage());
                return Main.USAGE;
            }
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            err.println("socket-audit attach: no process " + pid);
            return Main.FAILURE;
        }
        if (pid == ProcessHandle.current().pid()) {
            err.println("socket-audit attach: " + pid + " is this command itself");
            return Main.FAILURE;
        }
        Optional<String> owner = process.get().info().user();
        String me = System.getProperty("user.name");
        if (owner.isPresent() && !owner.get().equals(me)) {
            err.println("socket-audit attach: process " + pid + " belongs to " + owner.get()
                    + "; attach as that user");
            return Main.FAILURE;
        }
        if (!isAttachableJvm(pid)) {
            err.println("socket-audit attach: process " + pid + " is not a JVM that accepts attach"
                    + " (or it was started with -XX:+DisableAttachMechanism)");
            return Main.FAILURE;
        }
        File agentJar;
        try {
            agentJar = agentJar();
        } catch (IOException e) {
            err.println("socket-audit attach: " + e.getMessage());
            return Main.FAILURE;
        }
        String runningLog;
        try {
            runningLog = logOfRunningAgent(pid);
        } catch (IOException | AttachNotSupportedException e) {
            err.println("socket-audit attach: could not attach to " + pid + ": " + e.getMessage());
            return Main.FAILURE;
        }
        if (stop && runningLog == null) {
            err.println("socket-audit attach: the agent is not running in " + pid + "; nothing to stop");
            return Main.FAILURE;
        }
        if (!stop && runningLog != null) {
            out.println("socket-audit: already auditing " + pid + "; audit log: " + runningLog
                    + " (to change options: attach " + pid + " stop, then attach again)");
            return Main.OK;
        }
        try {
            ByteBuddyAgent.attach(agentJar, Long.toString(pid), stop ? STOP : options);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            err.println("socket-audit attach: could not attach to " + pid + ": " + cause.getMessage());
            return Main.FAILURE;
        }
        if (stop) {
            out.println("socket-audit: detached from " + pid + "; its log was flushed and closed: " + runningLog);
            return Main.OK;
        }
        String log;
        try {
            log = logOfRunningAgent(pid);
        } catch (IOException | AttachNotSupportedException e) {
            log = null;
        }
        if (log == null) {
            err.println("socket-audit attach: the agent did not start in " + pid
                    + " (it says why on that process's stderr); the process runs unaudited");
            return Main.FAILURE;
        }
        out.println("socket-audit: attached to " + pid + "; audit log: " + log);
        return Main.OK;
    }

    /** The log the agent in {@code pid} writes, from that JVM's system properties; {@code null} when none runs. */
    private static String logOfRunningAgent(long pid) throws IOException, AttachNotSupportedException {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try {
            return vm.getSystemProperties().getProperty(AgentRuntime.LOG_PROPERTY);
        } finally {
            vm.detach();
        }
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

    private static File agentJar() throws IOException {
        try {
            File jar = new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!jar.isFile()) {
                throw new IOException("attach must be run from the agent jar (java -jar socket-audit-agent.jar)");
            }
            return jar;
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the agent jar", e);
        }
    }
}
