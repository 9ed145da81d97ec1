package io.socketaudit.cli;

import io.socketaudit.report.Report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code report FILE... [--format text|json|html] [--output PATH] [--group-by caller|app] [--connection ADDR:PORT]}:
 * the command line of the {@link Report}, which reads, analyses and renders. The logs are read before the output
 * is created, so that a log that cannot be read leaves no empty report behind.
 */
final class ReportCommand extends Command {

    /**
     * @param output        where the report goes; standard output when null
     * @param help          the command's help was asked for instead
     */
    record Options(Report.Request request, Path output, boolean help) {
    }

    ReportCommand() {
        super("report", "summarise audit logs: who closed connections, how, and what was lost",
                List.of("report FILE... [--format text|json|html] [--output PATH] [--group-by caller|app]"
                        + " [--connection ADDR:PORT]"),
                """
                        Summarises socket-audit logs: who closed connections, how, and what was lost.
                        FILE may be gzip-compressed. Give the logs of both ends of a connection to pair them.

                          --format text|json|html   text for a terminal (default), json for programs,
                                                    html for a self-contained page with charts
                          --output PATH             write the report to PATH instead of standard output
                          --group-by caller|app     call sites by caller, the first frame outside the JDK (default),
                                                    or by appCaller, the first outside the JDK and known libraries
                          --connection ADDR:PORT    the whole life of the connections with an end at ADDR:PORT
                                                    (either end's address, ip:port or [v6]:port), from every
                                                    log that holds them; text or json
                          --help                    print this text
                        """);
    }

    @Override
    void execute(List<String> args, PrintStream out, PrintStream err) throws UsageException, FailedException {
        Options options = parse(args);
        if (options.help()) {
            printHelp(out);
            return;
        }
        Report.Analysed report;
        try {
            report = Report.analyse(options.request(), err);
        } catch (Report.UnreadableInput e) {
            throw new FailedException(e.getMessage());
        }
        write(report, options.output(), out);
        for (String warning : report.warnings()) {
            err.println("socket-audit report: warning: " + warning);
        }
    }

    static Options parse(List<String> args) throws UsageException {
        List<Path> files = new ArrayList<>();
        Report.Format format = null;
        Path output = null;
        String groupBy = null;
        String connection = null;
        boolean onlyFiles = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (onlyFiles || !arg.startsWith("-") || arg.equals("-")) {
                if (arg.equals("-")) {
                    throw new UsageException("reading standard input is not supported; give a file");
                }
                files.add(Path.of(arg));
                continue;
            }
            String name = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            switch (name) {
                case "--":
                    onlyFiles = true;
                    break;
                case "--help":
                case "-h":
                    return new Options(null, null, true);
                case "--format":
                    once(format, name);
                    value = value != null ? value : valueOf(args, ++i, name);
                    try {
                        format = Report.Format.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("unknown format '" + value + "': use text, json or html");
                    }
                    break;
                case "--group-by":
                    once(groupBy, name);
                    groupBy = value != null ? value : valueOf(args, ++i, name);
                    if (!groupBy.equals("caller") && !groupBy.equals("app")) {
                        throw new UsageException("unknown grouping '" + groupBy + "': use caller or app");
                    }
                    break;
                case "--output":
                    once(output, name);
                    output = Path.of(value != null ? value : valueOf(args, ++i, name));
                    break;
                case "--connection":
                    once(connection, name);
                    try {
                        connection = Report.connectionAddress(value != null ? value : valueOf(args, ++i, name));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                    break;
                default:
                    throw new UsageException("unknown option '" + arg + "'");
            }
        }
        if (files.isEmpty()) {
            throw new UsageException("no log file given");
        }
        if (connection != null && format == Report.Format.HTML) {
            throw new UsageException("--connection is shown as text or json, not html");
        }
        Report.Request request = new Report.Request(List.copyOf(files), format == null ? Report.Format.TEXT : format,
                connection, "app".equals(groupBy));
        return new Options(request, output, false);
    }

    private static void once(Object earlier, String option) throws UsageException {
        if (earlier != null) {
            throw new UsageException(option + " given twice");
        }
    }

    private static String valueOf(List<String> args, int index, String option) throws UsageException {
        if (index >= args.size() || args.get(index).isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(index);
    }

    private static void write(Report.Analysed report, Path output, PrintStream out) throws FailedException {
        if (output == null) {
            try {
                Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                report.writeTo(writer);
                writer.flush();
            } catch (IOException e) {
                throw new FailedException("cannot write the report: " + Report.reason(e));
            }
            if (out.checkError()) {
                throw new FailedException("cannot write the report to standard output");
            }
            return;
        }
        try (Writer writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            report.writeTo(writer);
        } catch (IOException e) {
            throw new FailedException("cannot write " + output + ": " + Report.reason(e));
        }
    }
}
