package io.socketaudit.cli;

import io.socketaudit.report.Report;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReportOptionsTest {

    @Test
    void afterDoubleDashEveryArgumentIsAFile() throws Command.UsageException {
        ReportCommand.Options options = ReportCommand.parse(List.of("--format", "json", "--", "-odd-name.jsonl", "--output"));
        assertEquals(List.of(Path.of("-odd-name.jsonl"), Path.of("--output")), options.request().files());
        assertEquals(Report.Format.JSON, options.request().format());
    }
}
