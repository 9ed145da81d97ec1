package io.socketaudit.cli;

import io.socketaudit.agent.AgentJar;
import io.socketaudit.report.ReportCommand;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The command-line side of the agent jar: {@code java -jar socket-audit-agent.jar COMMAND ...}.
 * Exit codes follow the JDK's {@code jfr} tool: 0 success, 1 bad data or I/O, 2 wrong usage.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            printUsage(err);
            return USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "report":
                return ReportCommand.run(rest, out, err);
            case "attach":
                return AttachCommand.attach(rest, out, err);
            case "list":
                return AttachCommand.list(rest, out, err);
            case "version":
            case "--version":
                out.println("socket-audit " + AgentJar.version());
                return OK;
            case "help":
            case "--help":
            case "-h":
                printUsage(out);
                return OK;
            default:
                err.println("socket-audit: unknown command '" + args[0] + "'");
                printUsage(err);
                return USAGE;
        }
    }

    private static void printUsage(PrintStream s) {
        s.println("Usage: java -jar socket-audit-agent.jar <command> [options]");
        s.println();
        s.println("Commands:");
        s.println("  report FILE... [--format text|json|html] [--output PATH]   summarise audit logs");
        s.println("  attach PID [key=value,...]                                audit a running JVM from now on");
        s.println("  attach PID stop                                           stop auditing it; the JVM runs on");
        s.println("  list                                                      the JVMs one can attach to");
        s.println("  version                                                   print the agent version");
        s.println("  help                                                      print this text");
        s.println();
        s.println("As an agent: java -javaagent:socket-audit-agent.jar[=key=value,...] -jar app.jar");
    }
}
