package io.socketaudit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The results in BENCHMARKS.md: a header, the targets table, then the sections, written between the markers
 * {@value #START} and {@value #END}. The rest of the file is left as it is, so prose written around the results
 * survives a new run.
 */
final class BenchmarksFile {

    static final String START = "<!-- results:start (written by benchmarks/run.sh; edits between these markers are lost) -->";
    static final String END = "<!-- results:end -->";

    private final Path out;
    private final List<String[]> targets = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();

    BenchmarksFile(Path out) {
        this.out = out;
    }

    Path path() {
        return out;
    }

    void section(String title, String text) {
        body.append("## ").append(title).append("\n\n").append(text).append('\n');
    }

    void target(String name, String measured, Boolean met) {
        targets.add(new String[] {name, measured, Md.met(met)});
    }

    private String summary() {
        List<List<String>> rows = new ArrayList<>();
        for (String[] t : targets) {
            rows.add(List.of(t[0], t[1], t[2]));
        }
        return "## Targets\n\n" + Md.table(List.of("target", "measured", "verdict"), rows) + "\n";
    }

    /** Writes the header, the targets and the sections between the markers, or a new file holding them. */
    void write(String header) throws IOException {
        String results = header + summary() + body;
        String block = START + "\n" + results + END + "\n";
        String text;
        if (Files.exists(out)) {
            String old = Files.readString(out, StandardCharsets.UTF_8);
            int s = old.indexOf(START);
            int e = old.indexOf(END);
            text = s >= 0 && e > s ? old.substring(0, s) + block + old.substring(e + END.length()).replaceFirst("^\n", "")
                    : old + "\n" + block;
        } else {
            text = "# Benchmarks\n\n" + block;
        }
        Files.writeString(out, text, StandardCharsets.UTF_8);
    }
}
