package io.socketaudit.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;

import java.io.PrintStream;
import java.util.List;

/** {@code list}: the JVMs of this user that {@code attach} can audit, but for this command's own. */
final class ListCommand extends Command {

    ListCommand() {
        super("list", "list the JVMs one can attach to",
                List.of("list"),
                "Prints, one a line, the process id and main class of each JVM of this user that accepts attach.\n");
    }

    @Override
    void execute(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        noArguments(args);
        String self = Long.toString(ProcessHandle.current().pid());
        for (VirtualMachineDescriptor vm : VirtualMachine.list()) {
            if (!vm.id().equals(self)) {
                String name = vm.displayName().isBlank() ? "(no main class)" : vm.displayName();
                out.println(vm.id() + " " + name);
            }
        }
    }
}
