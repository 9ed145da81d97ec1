package io.socketaudit.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketaudit.cli.ExitCode;
import io.socketaudit.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The report command's JSON over the logs a test wrote, run as the command line runs it, in this JVM. */
public final class ReportJson {

    private ReportJson() {
    }

    /** {@code report ARGS... --format json}; fails unless the command succeeded. */
    public static JsonNode of(Object... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("report"));
        for (Object arg : args) {
            command.add(arg.toString());
        }
        command.addAll(List.of("--format", "json"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(command.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(ExitCode.OK.status(), exit, err.toString(StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }
}
