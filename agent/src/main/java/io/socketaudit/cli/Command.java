package io.socketaudit.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One command of the agent jar, in the shape of the JDK's {@code jfr} tool: a name, one line saying what it does,
 * its usage and options, and {@link #execute}, which returns when the command did what was asked and otherwise
 * throws one of two exceptions whose message is the one line {@link Main} prints. A new command is a subclass
 * listed in {@link Main}.
 */
abstract class Command {

    /** The command line was wrong; the message names what (exit {@link ExitCode#WRONG_USAGE}). */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** The command could not do what was asked; the message says why (exit {@link ExitCode#FAILED}). */
    static final class FailedException extends Exception {
        FailedException(String message) {
            super(message);
        }
    }

    final String name;
    /** One line for the list of commands. */
    final String description;
    /** The command's forms after {@code java -jar socket-audit-agent.jar}, one a line. */
    final List<String> usage;
    private final String details;

    /** @param details what follows the usage in the command's help: what it does, and its options */
    Command(String name, String description, List<String> usage, String details) {
        this.name = name;
        this.description = description;
        this.usage = List.copyOf(usage);
        this.details = details;
    }

    /** For the commands that take no arguments. */
    static void noArguments(List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("takes no arguments");
        }
    }

    /**
     * Does what {@code args} ask, printing its result on {@code out}, and on {@code err} only warnings that do not
     * stop it; what does stop it is thrown.
     */
    abstract void execute(List<String> args, PrintStream out, PrintStream err) throws UsageException, FailedException;

    /** The command's help: its usage, then its details. */
    final void printHelp(PrintStream out) {
        String first = "Usage: ";
        for (String form : usage) {
            out.println(first + Main.LAUNCH + " " + form);
            first = " ".repeat(first.length());
        }
        out.println();
        out.print(details);
    }
}
