package io.socketaudit.cli;

import io.socketaudit.agent.AgentJar;

import java.io.PrintStream;
import java.util.List;

/** {@code version}: the version of the jar, as its manifest gives it. */
final class VersionCommand extends Command {

    @Override
    String name() {
        return "version";
    }

    @Override
    String description() {
        return "print the agent version";
    }

    @Override
    List<String> usage() {
        return List.of("version");
    }

    @Override
    String details() {
        return "Prints the version of the agent and its tools, the one its log lines give as agentVersion.\n";
    }

    @Override
    void execute(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("takes no arguments");
        }
        out.println("socket-audit " + AgentJar.version());
    }
}
