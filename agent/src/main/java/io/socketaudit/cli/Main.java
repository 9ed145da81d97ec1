package io.socketaudit.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command-line side of the agent jar: {@code java -jar socket-audit-agent.jar COMMAND ...}. Finds the command
 * by its name, runs it, and turns what it throws into one line on standard error and the exit status.
 */
public final class Main {

    /** How the jar is run as a command, for usage lines and hints. */
    static final String LAUNCH = "java -jar socket-audit-agent.jar";

    /** Every command, in the order the overview lists them. */
    static final List<Command> COMMANDS = List.of(new ReportCommand(), new AttachCommand(), new ListCommand(),
            new PrepareCommand(), new VersionCommand(), new HelpCommand());

    /** The spellings of help and version that people type out of habit. */
    private static final Map<String, String> ALIASES = Map.of("--help", "help", "-h", "help", "--version", "version");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command {@code args} name; returns the exit status ({@link ExitCode}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            printOverview(err);
            return ExitCode.WRONG_USAGE.status();
        }
        Optional<Command> command = command(ALIASES.getOrDefault(args[0], args[0]));
        if (command.isEmpty()) {
            err.println("socket-audit: unknown command '" + args[0] + "'; see " + LAUNCH + " help");
            return ExitCode.WRONG_USAGE.status();
        }
        return run(command.get(), Arrays.asList(args).subList(1, args.length), out, err).status();
    }

    private static ExitCode run(Command command, List<String> args, PrintStream out, PrintStream err) {
        if (args.equals(List.of("--help")) || args.equals(List.of("-h"))) {
            command.printHelp(out);
            return ExitCode.OK;
        }
        String prefix = "socket-audit " + command.name + ": ";
        try {
            command.execute(args, out, err);
            return ExitCode.OK;
        } catch (Command.UsageException e) {
            err.println(prefix + e.getMessage() + "; see " + LAUNCH + " help " + command.name);
            return ExitCode.WRONG_USAGE;
        } catch (Command.FailedException e) {
            err.println(prefix + e.getMessage());
            return ExitCode.FAILED;
        }
    }

    static Optional<Command> command(String name) {
        return COMMANDS.stream().filter(c -> c.name.equals(name)).findFirst();
    }

    static void printOverview(PrintStream out) {
        out.println("Usage: " + LAUNCH + " <command> [options]");
        out.println();
        out.println("Commands:");
        for (Command command : COMMANDS) {
            out.printf("  %-9s %s%n", command.name, command.description);
        }
        out.println();
        out.println(LAUNCH + " help COMMAND shows a command's usage and options.");
        out.println("As an agent: java -javaagent:socket-audit-agent.jar[=key=value,...] -jar app.jar");
    }
}
