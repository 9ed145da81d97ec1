package io.socketaudit.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code socket-audit report FILE... [--format text|json|html] [--output PATH] [--connection ADDR:PORT]}: summarises audit
 * logs. Exit status as the JDK's {@code jfr} tool: 0 the report was written (lines it could not
 * read are counted in it), 1 an input could not be read or the output not written, 2 wrong usage.
 */
public final class ReportCommand {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String PREFIX = "socket-audit report: ";
    private static final String USAGE_TEXT = """
            Usage: java -jar socket-audit-agent.jar report FILE... [--format text|json|html] [--output PATH]
                                                               [--group-by caller|app] [--connection ADDR:PORT]

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
            """;

    enum Format { TEXT, JSON, HTML }

    /**
     * @param connection     show the life of the connections with an end at this address instead of the summary
     * @param byApplication  call sites are grouped by {@code appCaller} rather than {@code caller}
     */
    record Options(List<Path> files, Format format, Path output, String connection, boolean help,
                   boolean byApplication) {
    }

    /** Wrong usage; its message says what was wrong. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private ReportCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = parse(args);
        } catch (UsageException e) {
            err.println(PREFIX + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        }
        if (options.help()) {
            out.print(USAGE_TEXT);
            return OK;
        }
        List<LogInput> inputs = new ArrayList<>();
        try {
            for (Path file : options.files()) {
                try {
                    inputs.add(LogInput.open(file));
                } catch (IOException e) {
                    err.println(PREFIX + "cannot read " + file + ": " + reason(e));
                    return FAILED;
                }
            }
            if (options.connection() != null) {
                return connectionHistory(inputs, options, out, err);
            }
            Summary summary;
            try {
                summary = Analysis.run(inputs, Progress.onConsole(err), options.byApplication());
            } catch (MergedRecords.InputReadException e) {
                err.println(PREFIX + "cannot read " + e.file() + ": " + reason((IOException) e.getCause()));
                return FAILED;
            } catch (IOException e) {
                err.println(PREFIX + "cannot read the logs: " + reason(e));
                return FAILED;
            }
            if (!write(summary, options, out, err)) {
                return FAILED;
            }
            for (String damage : summary.problems().damagedFiles()) {
                err.println(PREFIX + "warning: " + damage);
            }
            long skipped = summary.problems().skippedLines();
            if (skipped > 0) {
                err.println(PREFIX + "warning: " + TextReport.plural(skipped, "line") + " could not be used; the report says which");
            }
            if (summary.health().lossy()) {
                err.println(PREFIX + "warning: the agent lost events or failed; the report's counts are incomplete");
            }
            return OK;
        } finally {
            for (LogInput input : inputs) {
                try {
                    input.close();
                } catch (IOException ignored) {
                    // Read-only; nothing was lost.
                }
            }
        }
    }

    private static int connectionHistory(List<LogInput> inputs, Options options, PrintStream out, PrintStream err) {
        ConnectionHistory.History history;
        try {
            history = ConnectionHistory.run(options.connection(), inputs, Progress.onConsole(err));
        } catch (MergedRecords.InputReadException e) {
            err.println(PREFIX + "cannot read " + e.file() + ": " + reason((IOException) e.getCause()));
            return FAILED;
        } catch (IOException e) {
            err.println(PREFIX + "cannot read the logs: " + reason(e));
            return FAILED;
        }
        Renderer renderer = writer -> {
            if (options.format() == Format.JSON) {
                ConnectionReport.writeJson(history, writer);
            } else {
                ConnectionReport.writeText(history, writer);
            }
        };
        return write(renderer, options, out, err) ? OK : FAILED;
    }

    static Options parse(List<String> args) throws UsageException {
        List<Path> files = new ArrayList<>();
        Format format = null;
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
                    return new Options(List.of(), Format.TEXT, null, null, true, false);
                case "--format":
                    if (format != null) {
                        throw new UsageException("--format given twice");
                    }
                    value = value != null ? value : valueOf(args, ++i, name);
                    try {
                        format = Format.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("unknown format '" + value + "': use text, json or html");
                    }
                    break;
                case "--group-by":
                    if (groupBy != null) {
                        throw new UsageException("--group-by given twice");
                    }
                    groupBy = value != null ? value : valueOf(args, ++i, name);
                    if (!groupBy.equals("caller") && !groupBy.equals("app")) {
                        throw new UsageException("unknown grouping '" + groupBy + "': use caller or app");
                    }
                    break;
                case "--output":
                    if (output != null) {
                        throw new UsageException("--output given twice");
                    }
                    output = Path.of(value != null ? value : valueOf(args, ++i, name));
                    break;
                case "--connection":
                    if (connection != null) {
                        throw new UsageException("--connection given twice");
                    }
                    connection = ConnectionAddress.parse(value != null ? value : valueOf(args, ++i, name));
                    break;
                default:
                    throw new UsageException("unknown option '" + arg + "'");
            }
        }
        if (files.isEmpty()) {
            throw new UsageException("no log file given");
        }
        if (connection != null && format == Format.HTML) {
            throw new UsageException("--connection is shown as text or json, not html");
        }
        return new Options(List.copyOf(files), format == null ? Format.TEXT : format, output, connection, false,
                "app".equals(groupBy));
    }

    private static String valueOf(List<String> args, int index, String option) throws UsageException {
        if (index >= args.size() || args.get(index).isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(index);
    }

    /** Writes one report to the writer it is given. */
    private interface Renderer {
        void render(Writer writer) throws IOException;
    }

    private static boolean write(Summary summary, Options options, PrintStream out, PrintStream err) {
        return write(writer -> render(summary, options.format(), writer), options, out, err);
    }

    private static boolean write(Renderer renderer, Options options, PrintStream out, PrintStream err) {
        if (options.output() == null) {
            try {
                Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                renderer.render(writer);
                writer.flush();
            } catch (IOException e) {
                err.println(PREFIX + "cannot write the report: " + reason(e));
                return false;
            }
            if (out.checkError()) {
                err.println(PREFIX + "cannot write the report to standard output");
                return false;
            }
            return true;
        }
        try (Writer writer = Files.newBufferedWriter(options.output(), StandardCharsets.UTF_8)) {
            renderer.render(writer);
            return true;
        } catch (IOException e) {
            err.println(PREFIX + "cannot write " + options.output() + ": " + reason(e));
            return false;
        }
    }

    private static void render(Summary summary, Format format, Writer writer) throws IOException {
        switch (format) {
            case JSON -> JsonReport.write(summary, writer);
            case HTML -> HtmlReport.write(summary, writer);
            default -> TextReport.write(summary, writer);
        }
    }

    /** The part of an I/O error a user can act on, without the path repeated. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
