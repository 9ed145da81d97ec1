package io.socketaudit.report;

import io.socketaudit.cli.ExitCode;
import io.socketaudit.cli.Main;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One run of the report command, as the command line starts it, in this JVM, with what it printed. */
record CommandResult(int exitCode, String out, String err) {

    static CommandResult report(Object... args) {
        List<String> strings = new ArrayList<>(List.of("report"));
        for (Object arg : args) {
            strings.add(arg.toString());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = Main.run(strings.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandResult(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The report of {@code args} as JSON; fails unless the command succeeded. */
    static JsonNode json(Object... args) throws IOException {
        Object[] withFormat = new Object[args.length + 2];
        System.arraycopy(args, 0, withFormat, 0, args.length);
        withFormat[args.length] = "--format";
        withFormat[args.length + 1] = "json";
        CommandResult result = report(withFormat);
        if (result.exitCode() != ExitCode.OK.status()) {
            throw new AssertionError("exit " + result.exitCode() + ": " + result.err());
        }
        return new ObjectMapper().readTree(result.out());
    }
}
