package io.socketaudit.report;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A report over audit logs, as the command line asks for it: the logs are read and analysed first, and the
 * result is then written in the format asked, so that a log that cannot be read is known before any output is
 * created. What the arguments mean is {@code cli.ReportCommand}'s business; this package reads and renders.
 */
public final class Report {

    public enum Format { TEXT, JSON, HTML }

    /**
     * @param connection    the address whose connections' whole life is shown instead of the summary, or null
     * @param byApplication call sites are grouped by {@code appCaller} rather than {@code caller}
     */
    public record Request(List<Path> files, Format format, String connection, boolean byApplication) {
    }

    /** A log that could not be read; the message names it and says why. */
    public static final class UnreadableInput extends Exception {
        UnreadableInput(String message) {
            super(message);
        }
    }

    /** The analysed logs, ready to be written; with the warnings about them, each one line. */
    public interface Analysed {
        void writeTo(Writer writer) throws IOException;

        List<String> warnings();
    }

    private final Request request;

    private Report(Request request) {
        this.request = request;
    }

    /**
     * Reads and analyses the logs of {@code request}, showing progress on {@code console} when a person watches it.
     */
    public static Analysed analyse(Request request, PrintStream console) throws UnreadableInput {
        return new Report(request).analyse(Progress.onConsole(console));
    }

    /** {@code ip:port} or {@code [v6]:port} in the log's form; an {@code IllegalArgumentException} saying why not. */
    public static String connectionAddress(String text) {
        return ConnectionAddress.parse(text);
    }

    /** The part of an I/O error a user can act on, without the path repeated. */
    public static String reason(IOException e) {
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

    private Analysed analyse(Analysis.ProgressListener progress) throws UnreadableInput {
        List<LogInput> inputs = new ArrayList<>();
        try {
            for (Path file : request.files()) {
                try {
                    inputs.add(LogInput.open(file));
                } catch (IOException e) {
                    throw new UnreadableInput("cannot read " + file + ": " + reason(e));
                }
            }
            return request.connection() != null ? history(inputs, progress) : summary(inputs, progress);
        } catch (MergedRecords.InputReadException e) {
            throw new UnreadableInput("cannot read " + e.file() + ": " + reason((IOException) e.getCause()));
        } catch (IOException e) {
            throw new UnreadableInput("cannot read the logs: " + reason(e));
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

    private Analysed history(List<LogInput> inputs, Analysis.ProgressListener progress) throws IOException {
        ConnectionHistory.History history = ConnectionHistory.run(request.connection(), inputs, progress);
        boolean json = request.format() == Format.JSON;
        return analysed(writer -> {
            if (json) {
                ConnectionReport.writeJson(history, writer);
            } else {
                ConnectionReport.writeText(history, writer);
            }
        }, List.of());
    }

    private Analysed summary(List<LogInput> inputs, Analysis.ProgressListener progress) throws IOException {
        Summary summary = Analysis.run(inputs, progress, request.byApplication());
        List<String> warnings = new ArrayList<>(summary.problems().damagedFiles());
        long skipped = summary.problems().skippedLines();
        if (skipped > 0) {
            warnings.add(Wording.plural(skipped, "line") + " could not be used; the report says which");
        }
        if (summary.health().lossy()) {
            warnings.add("the agent lost events or failed; the report's counts are incomplete");
        }
        Format format = request.format();
        return analysed(writer -> {
            switch (format) {
                case JSON -> JsonReport.write(summary, writer);
                case HTML -> HtmlReport.write(summary, writer);
                default -> TextReport.write(summary, writer);
            }
        }, warnings);
    }

    /** Writes one report to the writer it is given. */
    private interface Renderer {
        void render(Writer writer) throws IOException;
    }

    private static Analysed analysed(Renderer renderer, List<String> warnings) {
        List<String> copy = List.copyOf(warnings);
        return new Analysed() {
            @Override
            public void writeTo(Writer writer) throws IOException {
                renderer.render(writer);
            }

            @Override
            public List<String> warnings() {
                return copy;
            }
        };
    }
}
