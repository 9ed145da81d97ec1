package io.socketaudit.cli;

import io.socketaudit.agent.AgentJar;

import java.io.PrintStream;
import java.util.List;

/** {@code version}: the version of the jar, as its manifest gives it. */
final class VersionCommand extends Command {

    VersionCommand() {
        super("version", "print the agent version",
                List.of("version"),
                "Prints the version of the agent and its tools, the one its log lines give as agentVersion.\n");
    }

    @Override
    void execute(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        noArguments(args);
        out.println("socket-audit " + AgentJar.version());
    }
}
