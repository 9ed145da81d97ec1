package io.socketaudit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs every benchmark and writes the results into BENCHMARKS.md ({@link BenchmarksFile}); its options are
 * {@link HarnessOptions}. Every measured JVM is a
 * child process started by {@link Launcher}.
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
 * <p>Each section is a class of its own ({@link ChurnSection}, {@link PersistentSection}, {@link ClosePathSection},
 * {@link WriterSection}, {@link StartupSection}, {@link MemorySection}, {@link PacedSection}, {@link ProfileSection},
 * {@link ServerSection}); they reach the run's set-up and report through this class. The rounds wait for a quiet
 * machine ({@link QuietMachine}).
 */
public final class Harness {

    private final boolean quick;
    private final Set<String> only;
    /** What the woven class cache held when the measurements began; {@code null} when no agent run needed it. */
    private String wovenCacheNote;
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
    private final List<Double> otherCores = new ArrayList<>();
    private final BenchmarksFile results;
    private final QuietMachine quiet;

    private final HarnessOptions options;

    private Harness(HarnessOptions options) throws IOException {
        this.options = options;
        quick = options.quick();
        quiet = new QuietMachine(quick, options.quietWaitSeconds());
        only = options.only();
        results = new BenchmarksFile(options.out());
        agentSource = options.agent();
        benchSource = Path.of(Harness.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toAbsolutePath();
        jdk17 = options.jdk17();
        jdk25 = options.jdk25();
        command = options.command(benchSource);
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
        new Harness(HarnessOptions.parse(args)).runAll();
    }

    private void runAll() throws Exception {
        Instant started = Instant.now();
        String loadBefore = loadAverage();
        log("work directory " + workDir + "; network namespaces " + (launcher.netnsAvailable() ? "available" : "NOT available"));
        // Each section is made when it runs: nothing of a section left out is started.
        Map<String, Section> sections = new LinkedHashMap<>();
        sections.put("churn", () -> new ChurnSection(this).run());
        sections.put("persistent", () -> PersistentSection.run(this));
        sections.put("closepath", () -> new ClosePathSection(this).run());
        sections.put("writer", () -> WriterSection.run(this));
        sections.put("startup", () -> new StartupSection(this).run());
        sections.put("memory", () -> MemorySection.run(this));
        sections.put("paced", () -> new PacedSection(this).run());
        sections.put("profile", () -> new ProfileSection(this).run());
        sections.put("server", () -> new ServerSection(this).run());
        if (!only.equals(Set.of("writer"))) {
            fillWovenCache();
        }
        for (Map.Entry<String, Section> section : sections.entrySet()) {
            if (only.contains(section.getKey())) {
                timed(section.getKey(), section.getValue());
            }
        }
        String loadAfter = loadAverage();
        Duration took = Duration.between(started, Instant.now());
        results.write(header(started, took, loadBefore, loadAfter));
        deleteTree(workDir);
        log("wrote " + results.path() + " in " + took.toSeconds() + " s");
    }

    /**
     * One agent JVM per JDK (a hello-world that opens a connection) writes the woven class cache before anything is
     * measured: from then on the agent starts as a restarted service does. The first start on a machine is measured
     * on its own (start-up and server sections).
     */
    private void fillWovenCache() throws Exception {
        List<String> written = new ArrayList<>();
        for (Path jdk : jdk25 != null && Files.isExecutable(jdk25.resolve("bin/java")) ? List.of(jdk17, jdk25) : List.of(jdk17)) {
            Path log = workDir.resolve("fill-cache.jsonl");
            Launcher.Output o = launcher.run(new Launcher.Run(java(jdk, false,
                    List.of("-javaagent:" + agentJar + "=file=" + log), "io.socketaudit.bench.Hello")).timeout(60));
            Files.deleteIfExists(log);
            if (!o.ok()) {
                throw new IllegalStateException("the run that fills the woven class cache failed: " + o.stderr());
            }
        }
        try (var files = Files.list(launcher.wovenCache())) {
            files.forEach(f -> written.add(f.getFileName() + " (" + f.toFile().length() / 1024 + " KB)"));
        }
        wovenCacheNote = written.isEmpty() ? "**not written** (agent runs weave at every start)" : String.join(", ", written);
        log("woven class cache: " + wovenCacheNote);
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
        return options.option(name);
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

    /** Waits, before a round, for the rest of the machine to be quiet ({@link QuietMachine#await}). */
    void awaitQuiet(String what) throws InterruptedException {
        quiet.await(what);
    }

    // ---------------------------------------------------------------- report

    /** A section of the results, in the order the sections run. */
    void section(String title, String text) {
        results.section(title, text);
    }

    /** A line of the targets table at the top of the results. */
    void target(String name, String measured, Boolean met) {
        results.target(name, measured, met);
    }

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
        if (wovenCacheNote != null) {
            b.append("- The agent's woven class cache: a directory of this run's own (`").append(Launcher.CACHE_VARIABLE)
                    .append("`), filled before the measurements by one agent run per JDK, so that the agent starts as in a"
                    + " restarted service: ").append(wovenCacheNote).append(". The first start on a machine, with the"
                    + " cache empty, is measured separately (\"agent, first start\" in sections 5 and 9)\n");
        }
        quiet.describe(b);
        b.append("- Load average (1, 5, 15 min) before: ").append(loadBefore).append("; after: ").append(loadAfter).append('\n');
        b.append("- Other user processes' CPU during the measured windows of churn, paced and persistent runs: median ")
                .append(Md.num(busy, 2)).append(" cores, max ").append(Md.num(Stats.max(otherCores), 2)).append(" cores")
                .append(isKnown(busy) && busy > 0.1 ? " — **the machine was busy with other work during this run; ratios are"
                        + " noisier than on an idle machine**" : "").append('\n');
        b.append('\n');
        return b.toString();
    }

    // ---------------------------------------------------------------- helpers

    /** The agent with the woven class cache it has filled (as a restarted service starts), and with an empty one. */
    static final String FIRST_START = "agent, first start";
    static final List<String> START_CONFIGURATIONS = List.of("bare", "agent", FIRST_START);

    /**
     * The JVM arguments of one of {@link #START_CONFIGURATIONS}, logging into {@code dir}: for the first start a
     * cache directory in {@code dir} that does not exist yet (the caller deletes {@code dir} after each run).
     */
    List<String> startArgs(String configuration, Path dir) {
        if (configuration.equals("bare")) {
            return List.of();
        }
        return List.of("-javaagent:" + agentJar + "=file=" + dir.resolve("audit.jsonl")
                + (configuration.equals(FIRST_START) ? ",cache=" + dir.resolve("empty-cache") : ""));
    }

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
