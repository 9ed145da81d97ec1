package io.socketaudit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static io.socketaudit.bench.Harness.deleteTree;
import static io.socketaudit.bench.Harness.failureNote;
import static io.socketaudit.bench.Harness.log;
import static io.socketaudit.bench.Harness.num;
import static io.socketaudit.bench.Harness.tail;

/**
 * Where the CPU goes in the paced benchmark ({@link Paced}, as in {@link PacedSection}): one run with the agent, one
 * with the agent as it was before its capture path was rebuilt (when {@code --baseline-agent JAR} is given) and one
 * bare, each under async-profiler (CPU samples every 1 ms of CPU, per thread, collapsed stacks), summarised by
 * {@link ProfileShares}. Needs async-profiler's native library ({@code --async-profiler PATH}: the
 * {@code libasyncProfiler.so}, or the {@code tools.profiler:async-profiler:…:linux-x64} jar that holds it); without
 * it the section says it was skipped.
 */
final class ProfileSection {

    private static final String TITLE = "8. Where the CPU goes (async-profiler)";

    private final Harness h;

    ProfileSection(Harness h) {
        this.h = h;
    }

    void run() throws Exception {
        String given = h.option("async-profiler");
        if (given == null) {
            h.section(TITLE, "Skipped: no async-profiler was given (`--async-profiler PATH`: `libasyncProfiler.so` or the"
                    + " `tools.profiler:async-profiler:4.1:jar:linux-x64` jar; `benchmarks/run.sh` fetches it with Maven unless"
                    + " that fails).\n");
            return;
        }
        Path library;
        try {
            library = library(Path.of(given).toAbsolutePath());
        } catch (IOException e) {
            h.section(TITLE, "Skipped: no async-profiler library in `" + given + "` (" + e.getMessage() + ").\n");
            return;
        }
        Path dir = h.workDir().resolve("profile");
        Map<String, ProfileShares> shares = new LinkedHashMap<>();
        Map<String, Map<String, String>> results = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> example = List.of();
        // The agent as it was before its capture path was rebuilt, when run.sh built it (--baseline REF).
        String before = h.option("baseline-agent");
        String beforeRef = h.option("baseline-ref");
        List<String> configs = before == null ? List.of("bare", "agent") : List.of("bare", "before", "agent");
        List<String> columns = before == null ? List.of("agent", "bare") : List.of("agent", "before", "bare");
        for (String cfg : configs) {
            Files.createDirectories(dir);
            Path collapsed = h.workDir().resolve("profile-" + cfg + ".collapsed");
            List<String> jvmArgs = new ArrayList<>(List.of("-agentpath:" + library
                    + "=start,event=cpu,interval=1ms,file=" + collapsed + ",collapsed,threads"));
            if (cfg.equals("agent")) {
                jvmArgs.add("-javaagent:" + h.agentJar() + "=file=" + dir.resolve("audit.jsonl"));
            } else if (cfg.equals("before")) {
                jvmArgs.add("-javaagent:" + Path.of(before).toAbsolutePath() + "=file=" + dir.resolve("audit.jsonl"));
            }
            List<String> cmd = PacedSection.command(h, jvmArgs);
            if (cfg.equals("agent")) {
                example = cmd;
            }
            h.awaitQuiet("profile " + cfg);
            Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).netns().timeout(180));
            deleteTree(dir);
            for (String line : (o.stdout() + "\n" + o.stderr()).split("\n")) {
                if (line.startsWith("[WARN]") || line.startsWith("[ERROR]")) {
                    notes.add(cfg + ": " + line.trim());
                }
            }
            Map<String, String> r = Results.parse(o.stdout());
            if (!o.ok() || r.isEmpty() || !Files.isRegularFile(collapsed)) {
                failures.add(cfg + ": exit " + o.exitCode() + " " + tail(o.stderr()) + (Files.isRegularFile(collapsed) ? ""
                        : " (no profile written)"));
                continue;
            }
            ProfileShares s = ProfileShares.of(Files.readAllLines(collapsed));
            Files.deleteIfExists(collapsed);
            shares.put(cfg, s);
            results.put(cfg, r);
            log(String.format("profile %-6s: %d samples, JIT %.1f %%, writer %.1f %%, stack capture %.1f %%, kernel probe %.1f %%",
                    cfg, s.total(), 100 * s.share(ProfileShares.JIT), 100 * s.share(ProfileShares.WRITER),
                    100 * s.share(ProfileShares.STACK_CAPTURE), 100 * s.share(ProfileShares.KERNEL_PROBE)));
        }
        List<List<String>> rows = new ArrayList<>();
        for (String category : ProfileShares.CATEGORIES) {
            List<String> row = new ArrayList<>(List.of(category));
            for (String cfg : columns) {
                ProfileShares s = shares.get(cfg);
                row.add(s == null ? "n/a" : Md.num(100 * s.share(category), 1) + " % (" + Md.num(s.samples(category), 0) + ")");
            }
            rows.add(row);
        }
        List<String> totals = new ArrayList<>(List.of("**all samples** (1 ms of CPU each)"));
        List<String> perConnection = new ArrayList<>(List.of("CPU per connection in the window, µs (`RESULT` of the profiled run)"));
        for (String cfg : columns) {
            ProfileShares s = shares.get(cfg);
            totals.add(s == null ? "n/a" : "**" + Md.num(s.total(), 0) + "**");
            Map<String, String> r = results.get(cfg);
            perConnection.add(r == null ? "n/a" : Md.num(num(r, "cpuPerConnectionUs"), 1));
        }
        rows.add(totals);
        rows.add(perConnection);
        long[] t = PacedSection.timing(h.quick());
        h.section(TITLE,
                "The paced benchmark of section 7 (" + Md.num(PacedSection.RATE, 0) + " connections/s, " + t[0] / 1000.0
                + " s warm-up, " + t[1] / 1000.0 + " s window, JDK 17), run once with the agent and once bare under"
                + " async-profiler (`event=cpu,interval=1ms,collapsed,threads`: a sample per millisecond of CPU of any thread,"
                + " the JVM's own threads included). The profile covers the whole life of the JVM, start, warm-up and exit"
                + " included, not only the measured window, so the JIT's and the prepare thread's shares are larger than in the"
                + " window alone. Shares of all samples (samples in brackets): by thread first (the JIT compilers, the"
                + " agent's `socket-audit-writer` and `socket-audit-prepare`, other `socket-audit-*` threads, the JVM's GC, VM"
                + " and service threads), then, on the application's threads (client, server and main threads), by frames:"
                + " stack capture = `java/lang/Throwable.fillInStackTrace` under an `io/socketaudit` frame; kernel probe ="
                + " under `io/socketaudit/kernel/KernelProbe`; other agent code = under any other `io/socketaudit` frame"
                + " outside `io/socketaudit/bench` (the agent's premain on the main thread among them); the rest is the"
                + " application itself."
                + (before == null ? "" : " \"Before\" is the agent built from commit `" + beforeRef + "`, before its capture"
                        + " path and start were rebuilt (`--baseline " + beforeRef + "`; its start-up thread `socket-audit-init`"
                        + " counts among the other agent threads).")
                + "\n\n"
                + h.commandNote("profile", " --async-profiler " + h.displayCommand(List.of(Path.of(given).toAbsolutePath().toString())),
                        example, true) + "\n"
                + Md.table(before == null ? List.of("where", "agent", "bare")
                        : List.of("where", "agent", "before (`" + beforeRef + "`)", "bare"), rows)
                + (notes.isEmpty() ? "" : "\nasync-profiler said: " + String.join("; ", notes) + "\n")
                + failureNote(failures));
    }

    /** The native library itself, or extracted from the async-profiler jar into the work directory. */
    private Path library(Path given) throws IOException {
        if (!Files.isRegularFile(given)) {
            throw new IOException("no such file");
        }
        if (!given.getFileName().toString().endsWith(".jar")) {
            return given;
        }
        try (ZipFile zip = new ZipFile(given.toFile())) {
            ZipEntry entry = zip.stream().filter(e -> e.getName().endsWith("/libasyncProfiler.so")).findFirst()
                    .orElseThrow(() -> new IOException("the jar holds no libasyncProfiler.so"));
            Path target = h.workDir().resolve("libasyncProfiler.so");
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        }
    }
}
