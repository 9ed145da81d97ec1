package io.socketaudit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs every benchmark and writes the results into BENCHMARKS.md, between the markers
 * {@value #START} and {@value #END} (the rest of the file is left as it is, so prose written around the
 * results survives a new run). Every measured JVM is a child process started by {@link Launcher}.
 *
 * <pre>
 * java -jar benchmarks/target/socket-audit-benchmarks.jar [--quick]
 *      [--only churn,persistent,closepath,writer,startup,memory,paced,profile,server]
 *      [--churn-depth1] (adds a churn configuration with stack.depth=1) [--quiet-wait SECONDS]
 *      [--leak-detector JAR] (adds lib-file-leak-detector to the paced benchmark)
 *      [--async-profiler PATH] (libasyncProfiler.so, or the async-profiler jar holding it: the profile section)
 *      [--out BENCHMARKS.md] [--agent agent/target/socket-audit-agent.jar] [--jdk17 HOME] [--jdk25 HOME] [--command TEXT]
 * </pre>
 *
 * <p>The larger sections are classes of their own ({@link ChurnSection}, {@link PacedSection}, {@link ProfileSection},
 * {@link StartupSection}, {@link ServerSection}); they reach the run's set-up and report through this class.
 */
public final class Harness {

    static final String START = "<!-- results:start (written by benchmarks/run.sh; edits between these markers are lost) -->";
    static final String END = "<!-- results:end -->";
    static final List<String> SECTIONS = List.of("churn", "persistent", "closepath", "writer", "startup", "memory", "paced",
            "profile", "server");

    private final boolean quick;
    private final Set<String> only;
    private final Path out;
    private final Path agentSource;
    private final Path agentJar;
    private final String agentSha;
    private final Path benchJar;
    private final Path benchSource;
    private final Path jdk17;
    private final Path jdk25;
    private final String command;
    private final Path workDir;
    private final Launcher launcher;
    private final Path jfc;
    private final List<String[]> targets = new ArrayList<>();
    private final List<Double> otherCores = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    /** Seconds the harness may still wait, in all, for the rest of the machine to be quiet before a round. */
    private double quietBudgetSeconds;
    private int quietRounds;
    private int busyRounds;
    private double waitedSeconds;

    private final Map<String, String> options;

    private Harness(Map<String, String> options) throws IOException {
        this.options = options;
        quick = options.containsKey("quick");
        quietBudgetSeconds = Double.parseDouble(options.getOrDefault("quiet-wait", quick ? "0" : "300"));
        only = new LinkedHashSet<>(Arrays.asList(options.getOrDefault("only", String.join(",", SECTIONS)).split(",")));
        for (String name : only) {
            if (!SECTIONS.contains(name)) {
                throw new IllegalArgumentException("no section " + name + " (sections: " + String.join(",", SECTIONS) + ")");
            }
        }
        out = Path.of(options.getOrDefault("out", "BENCHMARKS.md")).toAbsolutePath();
        agentSource = Path.of(options.getOrDefault("agent", "agent/target/socket-audit-agent.jar")).toAbsolutePath();
        benchSource = Path.of(Harness.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toAbsolutePath();
        jdk17 = Path.of(options.getOrDefault("jdk17", System.getProperty("java.home")));
        jdk25 = Path.of(options.getOrDefault("jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        command = options.getOrDefault("command", "java -jar " + benchSource + (quick ? " --quick" : ""));
        if (!Files.isRegularFile(agentSource)) {
            throw new IllegalArgumentException("no agent jar at " + agentSource + ": build it first (mvn -B -q package -DskipTests)");
        }
        workDir = Files.createTempDirectory("socket-audit-bench");
        // A copy: a build running meanwhile (mvn package rewrites the jar) must not change the agent mid-run.
        agentJar = workDir.resolve("socket-audit-agent.jar");
        Files.copy(agentSource, agentJar);
        agentSha = sha256(agentJar);
        benchJar = workDir.resolve("socket-audit-benchmarks.jar");
        Files.copy(benchSource, benchJar);
        launcher = new Launcher(workDir);
        jfc = workDir.resolve("socket-events.jfc");
        try (InputStream in = Harness.class.getResourceAsStream("socket-events.jfc")) {
            Files.copy(in, jfc, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick") || a.equals("--churn-depth1")) {
                options.put(a.substring(2), "true");
            } else if (a.startsWith("--") && i + 1 < args.length) {
                options.put(a.substring(2), args[++i]);
            } else {
                System.err.println("usage: [--quick] [--churn-depth1] [--quiet-wait SECONDS] [--only " + String.join(",", SECTIONS) + "] [--out FILE] "
                        + "[--agent JAR] [--leak-detector JAR] [--async-profiler PATH] [--jdk17 HOME] [--jdk25 HOME] [--command TEXT]");
                System.exit(2);
            }
        }
        new Harness(options).runAll();
    }

    private void runAll() throws Exception {
        Instant started = Instant.now();
        String loadBefore = loadAverage();
        log("work directory " + workDir + "; network namespaces " + (launcher.netnsAvailable() ? "available" : "NOT available"));
        if (only.contains("churn")) {
            timed("churn", new ChurnSection(this)::run);
        }
        if (only.contains("persistent")) {
            timed("persistent", this::persistent);
        }
        if (only.contains("closepath")) {
            timed("closepath", this::closePath);
        }
        if (only.contains("writer")) {
            timed("writer", this::writer);
        }
        if (only.contains("startup")) {
            timed("startup", new StartupSection(this)::run);
        }
        if (only.contains("memory")) {
            timed("memory", this::memory);
        }
        if (only.contains("paced")) {
            timed("paced", new PacedSection(this)::run);
        }
        if (only.contains("profile")) {
            timed("profile", new ProfileSection(this)::run);
        }
        if (only.contains("server")) {
            timed("server", new ServerSection(this)::run);
        }
        String loadAfter = loadAverage();
        Duration took = Duration.between(started, Instant.now());
        String results = header(started, took, loadBefore, loadAfter) + summary() + body;
        write(results);
        deleteTree(workDir);
        log("wrote " + out + " in " + took.toSeconds() + " s");
    }

    interface Section {
        void run() throws Exception;
    }

    private void timed(String name, Section section) throws Exception {
        long t0 = System.nanoTime();
        log("== " + name);
        section.run();
        log("== " + name + " took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
    }

    // ---------------------------------------------------------------- what the sections in classes of their own use

    boolean quick() {
        return quick;
    }

    /** A harness option's value ({@code --name VALUE}), or null when it was not given. */
    String option(String name) {
        return options.get(name);
    }

    Launcher launcher() {
        return launcher;
    }

    /** The agent jar, copied at the start of the run. */
    Path agentJar() {
        return agentJar;
    }

    Path workDir() {
        return workDir;
    }

    Path jdk17() {
        return jdk17;
    }

    /** The JDK 25, or null when there is none at {@code --jdk25}. */
    Path jdk25() {
        return Files.isExecutable(jdk25.resolve("bin/java")) ? jdk25 : null;
    }

    /** JFR's settings for socket events only (the churn and paced benchmarks' JFR configuration). */
    Path jfc() {
        return jfc;
    }

    /** Counts the CPU time other processes used during a measured window, for the header's noise line. */
    void noteOtherCores(double cores) {
        otherCores.add(cores);
    }

    /**
     * Where a table came from, for its prose: the command that runs this section alone, this run's own command, and
     * the command line of one measured JVM ({@code $WORK} is the harness's temporary directory).
     */
    String commandNote(String sectionName, String extraOptions, List<String> childCommand, boolean ownNetns) {
        String alone = "benchmarks/run.sh" + (quick ? " --quick" : "") + " --only " + sectionName + extraOptions;
        return "Produced by `" + alone + "` (this run: `" + command + "`); each measured JVM"
                + (ownNetns && launcher.netnsAvailable() ? " (in a network namespace of its own: `ip netns exec NS …`)" : "")
                + ": `" + displayCommand(childCommand) + "`.\n";
    }

    /**
     * A command line with the run's copies of the jars shown as the paths they were copied from, and paths under the
     * current directory (the repository's root, from run.sh) relative to it.
     */
    String displayCommand(List<String> command) {
        String cwd = Path.of("").toAbsolutePath() + "/";
        List<String> shown = new ArrayList<>();
        for (String arg : command) {
            shown.add(arg.replace(agentJar.toString(), displayPath(agentSource))
                    .replace(benchJar.toString(), "benchmarks/target/socket-audit-benchmarks.jar")
                    .replace(workDir.toString(), "$WORK")
                    .replace(cwd, ""));
        }
        return String.join(" ", shown);
    }

    // ---------------------------------------------------------------- persistent

    private void persistent() throws Exception {
        int runs = quick ? 2 : 7;
        long warmup = quick ? 500 : 1500;
        long measure = quick ? 1500 : 4000;
        int connections = 4;
        Path dir = workDir.resolve("persistent");
        List<Config> configs = List.of(new Config("bare", "bare", List.of()),
                new Config("agent", "agent (default settings)", List.of("-javaagent:" + agentJar + "=file=" + dir.resolve("audit.jsonl"))));
        Rounds rounds = new Rounds();
        List<String> failures = new ArrayList<>();
        List<String> example = List.of();
        for (int run = 1; run <= runs; run++) {
            awaitQuiet("persistent round " + run);
            for (Config c : configs) {
                Files.createDirectories(dir);
                List<String> cmd = java(jdk17, false, concat(List.of("-Xms512m", "-Xmx512m"), c.jvmArgs()),
                        "io.socketaudit.bench.Persistent", connections, warmup, measure);
                if (c.name().equals("agent")) {
                    example = cmd;
                }
                Launcher.Output o = launcher.run(new Launcher.Run(cmd).netns().cpu(1).timeout(120));
                Map<String, String> r = Results.parse(o.stdout());
                deleteTree(dir);
                if (!o.ok() || r.isEmpty()) {
                    failures.add(c.name() + " run " + run + ": exit " + o.exitCode() + " " + tail(o.stderr()));
                    continue;
                }
                rounds.add(c.name(), run, num(r, "rate"), otherUserCores(r));
                otherCores.add(otherUserCores(r));
                log(String.format("persistent %-6s run %d: %,.0f round trips/s (other processes %.2f cores)", c.name(), run,
                        num(r, "rate"), otherUserCores(r)));
            }
        }
        double bare = Stats.median(rounds.rates("bare"));
        double agent = Stats.median(rounds.rates("agent"));
        List<Double> paired = rounds.paired("agent", "bare");
        List<Double> quietPaired = rounds.pairedWhere("agent", "bare", QUIET_RUN_CORES);
        List<List<String>> rows = new ArrayList<>();
        for (Config c : configs) {
            List<Double> v = rounds.rates(c.name());
            List<Double> quiet = rounds.pairedWhere(c.name(), "bare", QUIET_RUN_CORES);
            rows.add(List.of(c.label(), String.valueOf(v.size()), Md.num(Stats.median(v), 0), Md.range(Stats.min(v), Stats.max(v), 0),
                    Md.ratio(Stats.ratio(Stats.median(v), bare)), Md.ratio(Stats.median(rounds.paired(c.name(), "bare"))),
                    quiet.isEmpty() ? "no quiet round" : Md.ratio(Stats.median(quiet)) + " (" + quiet.size() + ")",
                    Md.num(Stats.median(rounds.otherCores(c.name())), 2)));
        }
        section("2. Persistent connections",
                connections + " long-lived loopback connections, both ends in one JVM (JDK 17), a client thread per connection"
                + " sending 64 bytes and reading the 64-byte answer in a loop; no connection is opened or closed while measuring."
                + " The JVM is pinned to one CPU (`taskset -c 1`), in a fresh network namespace, " + measure / 1000.0 + " s window after "
                + warmup / 1000.0 + " s of warm-up, bare and agent alternating, " + runs + " runs each.\n\n"
                + commandNote("persistent", "", example, true) + "\n"
                + Md.table(List.of("configuration", "runs", "round trips/s (median)", "spread (min – max)", "ratio to bare (medians)",
                        "ratio to bare (paired)", "ratio, quiet rounds only", "other processes (cores)"), rows)
                + "\nPaired ratios, run by run: " + joinRatios(paired) + ".\n" + failureNote(failures));
        double ratio = Stats.ratio(agent, bare);
        target("Persistent connections with the agent ≥ 0.98 of bare", "ratio " + Md.ratio(ratio) + " (paired "
                + Md.ratio(Stats.median(paired)) + "; quiet rounds only: " + (quietPaired.isEmpty() ? "none"
                : Md.ratio(Stats.median(quietPaired)) + " over " + quietPaired.size()) + ")", isKnown(ratio) ? ratio >= 0.98 : null);
    }

    // ---------------------------------------------------------------- close path

    private void closePath() throws Exception {
        List<Integer> depths = quick ? List.of(32) : List.of(8, 32, 128);
        int forks = quick ? 1 : 2;
        int warmups = quick ? 1 : 3;
        int measurements = quick ? 2 : 5;
        int iterationMillis = quick ? 500 : 1000;
        Map<String, Map<String, String>> results = new LinkedHashMap<>();
        Map<Integer, String> actualDepth = new LinkedHashMap<>();
        Map<Integer, String> capturedDepth = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (int depth : depths) {
            awaitQuiet("close path, depth " + depth);
            for (boolean withAgent : new boolean[] {false, true}) {
                List<String> args = new ArrayList<>(List.of("close", String.valueOf(depth), String.valueOf(forks),
                        String.valueOf(warmups), String.valueOf(measurements), String.valueOf(iterationMillis)));
                if (withAgent) {
                    args.add(agentJar.toString());
                    args.add(workDir.resolve("jmh-logs-" + depth).toString());
                }
                jmh(args, withAgent ? "agent" : "bare", depth, results, actualDepth, failures);
                deleteTree(workDir.resolve("jmh-logs-" + depth));
            }
            String which = depth == 32 ? "parts" : "parts-depth";
            jmh(List.of(which, String.valueOf(depth), "1", String.valueOf(warmups), String.valueOf(measurements),
                    String.valueOf(iterationMillis)), "parts", depth, results, capturedDepth, failures);
        }
        List<List<String>> rows = new ArrayList<>();
        double added32 = Double.NaN;
        double addedChannel32 = Double.NaN;
        for (int depth : depths) {
            for (String bench : List.of("socketClose", "channelClose")) {
                Map<String, String> bare = results.get("bare/" + bench + "/" + depth);
                Map<String, String> agent = results.get("agent/" + bench + "/" + depth);
                double b = bare == null ? Double.NaN : num(bare, "p50us");
                double a = agent == null ? Double.NaN : num(agent, "p50us");
                if (depth == 32 && bench.equals("socketClose")) {
                    added32 = a - b;
                } else if (depth == 32) {
                    addedChannel32 = a - b;
                }
                rows.add(List.of(String.valueOf(depth), actualDepth.getOrDefault(depth, "?"),
                        bench.equals("socketClose") ? "`Socket.close()`" : "`SocketChannel.close()`",
                        Md.num(b, 2), bare == null ? "n/a" : Md.num(num(bare, "meanUs"), 2),
                        Md.num(a, 2), agent == null ? "n/a" : Md.num(num(agent, "meanUs"), 2), Md.num(a - b, 2),
                        agent == null ? "n/a" : Md.num(num(agent, "agentCloseEvents"), 0)));
            }
        }
        List<List<String>> parts = new ArrayList<>();
        for (int depth : depths) {
            Map<String, String> stack = results.get("parts/stackCapture/" + depth);
            Map<String, String> recorder = results.get("parts/recorderClose/" + depth);
            Map<String, String> probeS = results.get("parts/kernelProbeSocket/32");
            Map<String, String> probeN = results.get("parts/kernelProbeSocketNoAddress/32");
            Map<String, String> probeC = results.get("parts/kernelProbeChannel/32");
            Map<String, String> offer = results.get("parts/handOffNoWaiter/32");
            Map<String, String> wake = results.get("parts/handOffWakeWriter/32");
            Map<String, String> bare = results.get("bare/socketClose/" + depth);
            Map<String, String> agent = results.get("agent/socketClose/" + depth);
            double added = bare == null || agent == null ? Double.NaN : num(agent, "p50us") - num(bare, "p50us");
            // Average-time results: p50 is the median of the iterations' averages, which one disturbed iteration moves less.
            double rec = recorder == null ? Double.NaN : num(recorder, "p50us");
            parts.add(List.of(String.valueOf(depth), capturedDepth.getOrDefault(depth, "?"),
                    stack == null ? "n/a" : Md.num(num(stack, "p50us"), 2),
                    probeS == null ? "n/a" : Md.num(num(probeS, "p50us"), 2),
                    probeN == null ? "n/a" : Md.num(num(probeN, "p50us"), 2),
                    probeC == null ? "n/a" : Md.num(num(probeC, "p50us"), 2),
                    offer == null ? "n/a" : Md.num(num(offer, "p50us"), 3),
                    wake == null ? "n/a" : Md.num(num(wake, "p50us"), 2),
                    Md.num(rec, 2), Md.num(added, 2), Md.num(added - rec, 2)));
        }
        section("3. Close path in isolation (JMH)",
                "JMH 1.37 on JDK 17, " + forks + " fork(s) × " + measurements + " iterations of " + iterationMillis + " ms after "
                + warmups + " warm-up iterations, each JMH run in a fresh network namespace. `Socket.close()` and"
                + " `SocketChannel.close()` of an established loopback connection with nothing pending: an invocation-level"
                + " `@Setup` connects and accepts a new pair (untimed), the benchmark closes the client end only, an"
                + " invocation-level `@TearDown` closes the server end (untimed). Sample-time mode: every invocation is timed"
                + " alone, so the median (p50) is not moved by the occasional slow one (a GC, the writer thread taking the"
                + " other core); the mean is shown too. With the agent, each fork runs with `-javaagent:…=stack.depth=N`"
                + " and the close events its logs hold are counted (they include the untimed server-end closes). The"
                + " benchmark method recurses until `close()` is called N frames deep; JMH's own frames under the benchmark"
                + " set a floor (\"frames at close\" is what was really there).\n\n"
                + commandNote("closepath", "", closePathExample, true) + "\n"
                + Md.table(List.of("depth N", "frames at close", "close", "bare p50 µs", "bare mean µs", "agent p50 µs",
                        "agent mean µs", "added p50 µs", "close events logged"), rows)
                + "\nThe parts, each alone (average time, median of the iterations; the kernel probe and hand-off do not depend"
                + " on the depth):"
                + " stack capture = `new Throwable()` with as many frames as the agent's capture inside such a close"
                + " (" + ClosePartsBench.CAPTURE_EXTRA_FRAMES + " more than N: the JDK's close funnels, the bridge and the"
                + " recorder); kernel query = `KernelProbe.probe(fd, true, false)` on an established connection, and"
                + " `probe(fd, false, false)` without the local address (what a close needs when its open recorded it);"
                + " hand-off = `ArrayBlockingQueue.offer` + `poll` with no one waiting, and one `offer` that must wake a"
                + " writer-like thread parked in `poll(timeout)` (sample time, p50): what the closing thread would pay if"
                + " it woke the agent's writer, which it does not (the writer looks for work on its own schedule);"
                + " recorder = the agent's own `SocketEventRecorder.enter` + `exit` for one Socket close at depth N, of a"
                + " connection it saw opening (untimed invocation-level setup), with a sink"
                + " that drops the event (kernel query + stack capture + bookkeeping, without the JDK's close, the advice"
                + " and the queue). \"Rest\" = added time measured above − recorder: advice dispatch, the queue hand-off"
                + " and the writer thread's competition for the CPU.\n\n"
                + Md.table(List.of("depth N", "frames captured", "stack capture µs", "kernel query (Socket) µs",
                        "kernel query, no address µs",
                        "kernel query (channel) µs", "hand-off, no waiter µs", "hand-off, wakes writer µs (p50)",
                        "recorder enter+exit µs", "added to Socket.close µs (p50)", "rest µs"), parts)
                + failureNote(failures));
        target("Added time per close ≤ 5 µs at stack depth 32 (JDK 17)", "`Socket.close()` +" + Md.num(added32, 2)
                + " µs, `SocketChannel.close()` +" + Md.num(addedChannel32, 2) + " µs (p50)",
                isKnown(added32) && isKnown(addedChannel32) ? added32 <= 5 && addedChannel32 <= 5 : null);
    }

    /** The command line of the first JMH run with the agent, for the close-path section's prose. */
    private List<String> closePathExample = List.of();

    private void jmh(List<String> args, String kind, int depth, Map<String, Map<String, String>> results,
                     Map<Integer, String> depths, List<String> failures) throws Exception {
        // Another JMH run on the machine (JMH's lock file) must not stop this one; the quiet gate reports its load.
        List<String> cmd = java(jdk17, true, List.of("-Xmx512m", "-Djmh.ignoreLock=true"), "io.socketaudit.bench.JmhRunner",
                args.toArray());
        if (kind.equals("agent") && closePathExample.isEmpty()) {
            closePathExample = cmd;
        }
        Launcher.Output o = launcher.run(new Launcher.Run(cmd).netns().timeout(900));
        List<Map<String, String>> lines = Results.parseAll(o.stdout());
        if (!o.ok() || lines.isEmpty()) {
            failures.add("JMH " + kind + " depth " + depth + ": exit " + o.exitCode() + " " + tail(o.stdout() + o.stderr()));
            return;
        }
        for (Map<String, String> r : lines) {
            results.put(kind + "/" + r.get("bench") + "/" + depth, r);
            log(String.format("closepath %-5s %-18s depth %3d: p50 %.2f µs, mean %.2f µs", kind, r.get("bench"), depth,
                    num(r, "p50us"), num(r, "meanUs")));
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String line : o.stdout().split("\n")) {
            int at = line.indexOf("DEPTH requested=");
            if (at >= 0) {
                // JMH prints the fork's output in the middle of its own lines
                String[] f = line.substring(at).split(" ");
                if (f.length > 2) {
                    seen.add(f[2].substring(f[2].indexOf('=') + 1));
                }
            }
        }
        if (!seen.isEmpty()) {
            depths.put(depth, String.join("/", seen));
        }
    }

    // ---------------------------------------------------------------- writer

    private void writer() throws Exception {
        int events = quick ? 100_000 : 400_000;
        int drainRuns = quick ? 1 : 3;
        int pacedRuns = quick ? 1 : 3;
        double pacedRate = 200_000;
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, Double> pacedDropped = new LinkedHashMap<>();
        Map<String, Integer> pacedRunsDropping = new LinkedHashMap<>();
        List<List<String>> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> example = List.of();
        boolean noneDropped = true;
        for (int run = 1; run <= drainRuns + pacedRuns; run++) {
            boolean paced = run > drainRuns;
            for (String compress : List.of("none", "gzip")) {
                String feed = (paced ? "paced" : "drain") + ", compress=" + compress;
                Path dir = workDir.resolve("writer");
                List<String> cmd = java(jdk17, true, List.of("-Xms3g", "-Xmx3g"), "io.socketaudit.bench.WriterBench",
                        paced ? "paced" : "drain", events, pacedRate, paced ? 65536 : events, 32, dir, compress);
                if (example.isEmpty()) {
                    example = cmd;
                }
                Launcher.Output o = launcher.run(new Launcher.Run(cmd).timeout(600));
                deleteTree(dir);
                Map<String, String> r = Results.parse(o.stdout());
                if (!o.ok() || r.isEmpty()) {
                    failures.add("writer " + feed + ": exit " + o.exitCode() + " " + tail(o.stderr()));
                    continue;
                }
                if (paced) {
                    pacedDropped.merge(compress, num(r, "dropped"), Double::sum);
                    pacedRunsDropping.merge(compress, num(r, "dropped") > 0 ? 1 : 0, Integer::sum);
                } else {
                    rates.computeIfAbsent(compress, k -> new ArrayList<>()).add(num(r, "rate"));
                    if (compress.equals("none")) {
                        noneDropped &= num(r, "dropped") == 0 && num(r, "eventsWritten") == events;
                    }
                }
                rows.add(List.of((paced ? "paced at " + Md.num(pacedRate, 0) + "/s, `queue.size` 65,536 (default)"
                                : "all at once, `queue.size` " + Md.num(events, 0)) + ", `compress=" + compress + "`",
                        Md.num(num(r, "events"), 0), Md.num(num(r, "offeredRate"), 0), Md.num(num(r, "seconds"), 2),
                        Md.num(num(r, "rate"), 0), Md.num(num(r, "eventsWritten"), 0), Md.num(num(r, "dropped"), 0),
                        Md.num(num(r, "bytesPerEvent"), 0)));
                log(String.format("writer %s: %,.0f events/s written, %s dropped", feed, num(r, "rate"), r.get("dropped")));
            }
        }
        double rate = Stats.median(rates.getOrDefault("none", List.of()));
        double pacedPlainDropped = pacedDropped.getOrDefault("none", Double.NaN);
        section("4. Log writer",
                "The agent's own `SocketEventRecorder` and `AuditLog` (agent jar on the class path, not attached), JDK 17: " + Md.num(events, 0)
                + " Socket close events are first captured the way the agent captures them (kernel query of a real loopback"
                + " connection, undecoded stack ~30 frames deep from one of two call sites, like the two ends of the churn"
                + " benchmark), then handed to the log: all at once into a queue that holds them all, timed until the writer"
                + " has written the last one and closed the file (its sustained rate, nothing dropped); and paced at "
                + Md.num(pacedRate, 0) + " events/s into the default queue, counting what is dropped (" + pacedRuns
                + " run(s), each a fresh JVM whose writer starts cold: the harder case). Each feed with the"
                + " plain log (`compress=none`, the default) and the gzip one. Rotation at the default 100 MB. Close events"
                + " only (no open lines), all from one connection, so the gzip log's bytes per event are lower than a real"
                + " log's (see the churn benchmark for those).\n\n"
                + commandNote("writer", "", example, false) + "\n"
                + Md.table(List.of("feed", "events", "offered/s", "seconds", "written/s", "eventsWritten", "dropped",
                        "bytes per event"), rows) + failureNote(failures));
        target("Writer ≥ 200,000 close events/s, none dropped", Md.num(rate, 0) + " events/s (median of "
                + rates.getOrDefault("none", List.of()).size() + "); paced at 200,000/s into the default queue: "
                + Md.num(pacedPlainDropped, 0) + " dropped (runs that dropped any: " + pacedRunsDropping.getOrDefault("none", 0)
                + " of " + pacedRuns + "). With `compress=gzip`: "
                + Md.num(Stats.median(rates.getOrDefault("gzip", List.of())), 0) + " events/s, "
                + Md.num(pacedDropped.getOrDefault("gzip", Double.NaN), 0) + " dropped paced (runs that dropped any: "
                + pacedRunsDropping.getOrDefault("gzip", 0) + " of " + pacedRuns + ")",
                isKnown(rate) ? rate >= 200_000 && noneDropped && pacedPlainDropped == 0 : null);
    }

    // ---------------------------------------------------------------- memory

    private void memory() throws Exception {
        int runs = quick ? 1 : 3;
        int pairs = 5000;
        int connections = 2 * pairs;
        Path dir = workDir.resolve("memory");
        Map<String, List<Double>> perConnection = new LinkedHashMap<>();
        Map<String, List<Double>> heapAfter = new LinkedHashMap<>();
        Map<String, Map<String, long[]>> histograms = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<String> example = List.of();
        for (int run = 1; run <= runs; run++) {
            for (boolean withAgent : new boolean[] {false, true}) {
                String key = withAgent ? "agent" : "bare";
                Files.createDirectories(dir);
                List<String> args = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xms1g", "-Xmx1g"));
                if (withAgent) {
                    args.add("-javaagent:" + agentJar + "=file=" + dir.resolve("audit.jsonl"));
                }
                List<String> cmd = java(jdk17, false, args, "io.socketaudit.bench.OpenMany", pairs, "histogram");
                if (withAgent) {
                    example = cmd;
                }
                Launcher.Output o = launcher.run(new Launcher.Run(cmd).netns().openFiles(connections + 1000).timeout(180));
                deleteTree(dir);
                Map<String, String> r = Results.parse(o.stdout());
                if (!o.ok() || r.isEmpty()) {
                    failures.add(key + " run " + run + ": exit " + o.exitCode() + " " + tail(o.stderr()));
                    continue;
                }
                perConnection.computeIfAbsent(key, k -> new ArrayList<>()).add(num(r, "bytesPerConnection"));
                heapAfter.computeIfAbsent(key, k -> new ArrayList<>()).add(num(r, "heapAfter"));
                Map<String, long[]> histogram = new LinkedHashMap<>();
                for (String line : o.stdout().split("\n")) {
                    if (line.startsWith("HIST0 ") || line.startsWith("HIST1 ")) {
                        String[] f = line.split(" ");
                        long sign = f[0].equals("HIST1") ? 1 : -1;
                        long[] v = histogram.computeIfAbsent(f[1], k -> new long[2]);
                        v[0] += sign * Long.parseLong(f[2]);
                        v[1] += sign * Long.parseLong(f[3]);
                    }
                }
                histograms.put(key, histogram);
                log(String.format("memory %-5s run %d: %.1f bytes of heap per open connection", key, run, num(r, "bytesPerConnection")));
            }
        }
        double bare = Stats.median(perConnection.getOrDefault("bare", List.of()));
        double agent = Stats.median(perConnection.getOrDefault("agent", List.of()));
        double added = agent - bare;
        double absolute = (Stats.median(heapAfter.getOrDefault("agent", List.of()))
                - Stats.median(heapAfter.getOrDefault("bare", List.of()))) / connections;
        List<List<String>> classes = new ArrayList<>();
        Map<String, long[]> a = histograms.getOrDefault("agent", Map.of());
        Map<String, long[]> b = histograms.getOrDefault("bare", Map.of());
        Set<String> names = new LinkedHashSet<>(a.keySet());
        names.addAll(b.keySet());
        names.stream()
                .map(n -> Map.entry(n, new long[] {
                        a.getOrDefault(n, new long[2])[0] - b.getOrDefault(n, new long[2])[0],
                        a.getOrDefault(n, new long[2])[1] - b.getOrDefault(n, new long[2])[1]}))
                .filter(e -> Math.abs(e.getValue()[1]) >= connections)
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[1]))
                .limit(12)
                .forEach(e -> classes.add(List.of("`" + e.getKey() + "`", Md.num(e.getValue()[0], 0),
                        Md.num((double) e.getValue()[1] / connections, 1))));
        section("6. Heap per open connection",
                Md.num(pairs, 0) + " loopback connections with both ends in one JVM: " + Md.num(connections, 0) + " open"
                + " sockets (JDK 17, `-XX:+UseSerialGC -Xms1g -Xmx1g`). Heap in use"
                + " after full collections (`System.gc()`, lowest of four) before and after opening them, after a warm-up"
                + " of 200 connections opened and closed; the growth divided by the number of sockets, bare and with the"
                + " agent, " + runs + " run(s) each.\n\n"
                + commandNote("memory", "", example, true) + "\n"
                + Md.table(List.of("configuration", "heap per open socket, bytes (median)", "spread"), List.of(
                        List.of("bare", Md.num(bare, 1), Md.range(Stats.min(perConnection.getOrDefault("bare", List.of())),
                                Stats.max(perConnection.getOrDefault("bare", List.of())), 1)),
                        List.of("agent", Md.num(agent, 1), Md.range(Stats.min(perConnection.getOrDefault("agent", List.of())),
                                Stats.max(perConnection.getOrDefault("agent", List.of())), 1)),
                        List.of("**agent's own**", "**" + Md.num(added, 1) + "**", ""))) + "\n"
                + "Whole heap with " + Md.num(connections, 0) + " sockets open, agent minus bare, divided by the sockets"
                + " (includes the agent's fixed footprint: Byte Buddy, the queue): " + Md.num(absolute, 1) + " bytes.\n\n"
                + "Where the agent's bytes are, from class histograms (`jcmd GC.class_histogram`) before and after opening the"
                + " sockets in the last run of each: growth with the agent minus growth without, classes that differ by at"
                + " least one byte per socket:\n\n"
                + Md.table(List.of("class", "instances (difference)", "bytes per open socket"), classes) + failureNote(failures));
        target("≤ 200 bytes of agent heap per open connection", Md.num(added, 1) + " bytes per open socket",
                isKnown(added) ? added <= 200 : null);
    }

    // ---------------------------------------------------------------- quiet machine

    /**
     * Before a round, waits until the rest of the machine uses less than {@value #QUIET_CORES} cores (measured over
     * one second while this harness is idle), within what is left of the waiting budget ({@code --quiet-wait}
     * seconds for the whole run; 0 with {@code --quick}). A shared machine's load comes and goes; this keeps the
     * rounds where someone else's build ran from being most of them. A round still starts when the budget is spent.
     */
    void awaitQuiet(String what) throws InterruptedException {
        if (quick) {
            return;
        }
        while (true) {
            double busy = machineBusyCores(1000);
            if (busy < QUIET_CORES) {
                quietRounds++;
                return;
            }
            if (quietBudgetSeconds <= 0) {
                busyRounds++;
                log(String.format("%s starts on a busy machine (%.2f cores used by others; waiting budget spent)", what, busy));
                return;
            }
            log(String.format("%s: others use %.2f cores, waiting", what, busy));
            Thread.sleep(4000);
            quietBudgetSeconds -= 5;
            waitedSeconds += 5;
        }
    }

    private static final double QUIET_CORES = 0.2;
    /** A run counts as undisturbed when other processes used less than this during its measured window. */
    static final double QUIET_RUN_CORES = 0.1;

    /** Cores busy on the whole machine (user + nice + system) over {@code millis}. */
    private static double machineBusyCores(long millis) throws InterruptedException {
        long a = CpuSample.now().busyTicks();
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long b = CpuSample.now().busyTicks();
        return a < 0 || b < 0 ? 0 : (b - a) * 1e7 / (System.nanoTime() - t0);
    }

    // ---------------------------------------------------------------- report

    private String header(Instant started, Duration took, String loadBefore, String loadAfter) {
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            // not Linux
        }
        String kernel = Launcher.exec("uname", "-r").trim();
        // The repository the agent jar was built in: <repo>/agent/target/socket-audit-agent.jar
        Path agentModule = agentSource.getParent() != null && agentSource.getParent().getParent() != null
                ? agentSource.getParent().getParent() : Path.of(".");
        String git = Launcher.exec("git", "-C", agentModule.toString(), "rev-parse", "--short", "HEAD").trim();
        String dirty = Launcher.exec("git", "-C", agentModule.toString(), "status", "--porcelain", "--", ".").isBlank()
                ? "" : " (its agent/ had uncommitted changes)";
        double busy = Stats.median(otherCores);
        StringBuilder b = new StringBuilder();
        b.append("Run ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(" for ").append(took.toMinutes()).append(" min ")
                .append(took.toSecondsPart()).append(" s").append(quick ? " (**`--quick`: short runs, figures are indicative only**)" : "")
                .append(".\n\n");
        b.append("- Command: `").append(command).append("`\n");
        b.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (`nproc`), ").append(cpu)
                .append(", Linux ").append(kernel).append('\n');
        b.append("- JDK 17: ").append(javaVersion(jdk17)).append('\n');
        if (Files.isExecutable(jdk25.resolve("bin/java"))) {
            b.append("- JDK 25: ").append(javaVersion(jdk25)).append('\n');
        }
        b.append("- Agent: `").append(displayPath(agentSource)).append("` (SHA-256 ").append(agentSha, 0, 12).append("…, copied at the start of the run),"
                + " built from commit ").append(git.isEmpty() ? "unknown" : git).append(dirty).append('\n');
        if (quietRounds + busyRounds > 0) {
            b.append("- Before each round of the churn, paced, persistent, close-path, start-up and server benchmarks (and each")
                    .append(" profiled run) the harness waited for the rest of")
                    .append(" the machine to use under ").append(QUIET_CORES).append(" cores: ").append(quietRounds)
                    .append(" rounds started quiet, ").append(busyRounds).append(" started busy (waiting budget spent); waited ")
                    .append(Md.num(waitedSeconds, 0)).append(" s in all\n");
        }
        b.append("- Load average (1, 5, 15 min) before: ").append(loadBefore).append("; after: ").append(loadAfter).append('\n');
        b.append("- Other user processes' CPU during the measured windows of churn, paced and persistent runs: median ")
                .append(Md.num(busy, 2)).append(" cores, max ").append(Md.num(Stats.max(otherCores), 2)).append(" cores")
                .append(isKnown(busy) && busy > 0.1 ? " — **the machine was busy with other work during this run; ratios are"
                        + " noisier than on an idle machine**" : "").append('\n');
        b.append('\n');
        return b.toString();
    }

    private String summary() {
        List<List<String>> rows = new ArrayList<>();
        for (String[] t : targets) {
            rows.add(List.of(t[0], t[1], t[2]));
        }
        return "## Targets\n\n" + Md.table(List.of("target", "measured", "verdict"), rows) + "\n";
    }

    void section(String title, String text) {
        body.append("## ").append(title).append("\n\n").append(text).append('\n');
    }

    void target(String name, String measured, Boolean met) {
        targets.add(new String[] {name, measured, Md.met(met)});
    }

    private void write(String results) throws IOException {
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

    // ---------------------------------------------------------------- helpers

    List<String> java(Path jdk, boolean agentOnClassPath, List<String> jvmArgs, String main, Object... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(jdk.resolve("bin/java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(agentOnClassPath ? benchJar + ":" + agentJar : benchJar.toString());
        cmd.add(main);
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        return cmd;
    }

    static String displayPath(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }

    private static String sha256(Path file) throws IOException {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            StringBuilder hex = new StringBuilder();
            for (byte x : digest) {
                hex.append(String.format("%02x", x));
            }
            return hex.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String javaVersion(Path jdk) {
        String v = Launcher.exec(jdk.resolve("bin/java").toString(), "-version");
        String[] lines = v.split("\n");
        return lines.length > 1 ? lines[1].trim() : v.trim();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static double num(Map<String, String> r, String key) {
        String v = r.get(key);
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Cores other user processes used in the window: all other CPU less the kernel's own threads. */
    static double otherUserCores(Map<String, String> r) {
        double other = num(r, "otherCores");
        double kernel = num(r, "kernelThreadCores");
        return isKnown(kernel) ? Math.max(0, other - kernel) : other;
    }

    static boolean isKnown(double v) {
        return !Double.isNaN(v) && !Double.isInfinite(v);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static List<Double> toD(List<Long> values) {
        List<Double> d = new ArrayList<>();
        values.forEach(v -> d.add((double) v));
        return d;
    }

    static String joinRatios(List<Double> ratios) {
        List<String> s = new ArrayList<>();
        ratios.forEach(r -> s.add(Md.ratio(r)));
        return s.isEmpty() ? "none" : String.join(", ", s);
    }

    static String failureNote(List<String> failures) {
        if (failures.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n**Runs that failed** (left out of the figures):\n\n");
        failures.forEach(f -> b.append("- ").append(f.replace('\n', ' ')).append('\n'));
        return b.toString();
    }

    static String tail(String text) {
        String t = text.strip();
        return t.length() > 400 ? "…" + t.substring(t.length() - 400) : t;
    }

    static void log(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
