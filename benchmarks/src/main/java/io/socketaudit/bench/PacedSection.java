package io.socketaudit.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.socketaudit.bench.Harness.deleteTree;
import static io.socketaudit.bench.Harness.failureNote;
import static io.socketaudit.bench.Harness.isKnown;
import static io.socketaudit.bench.Harness.log;
import static io.socketaudit.bench.Harness.num;
import static io.socketaudit.bench.Harness.tail;

/**
 * CPU per connection at a fixed rate ({@link Paced}: 3,000 connections/s, the cores not saturated): what a service
 * pays per connection with the agent, against bare, JFR's socket events and, when its jar is given
 * ({@code --leak-detector JAR}), lib-file-leak-detector. Configurations alternate in rounds, each run a fresh JVM
 * (default flags) in a fresh network namespace.
 */
final class PacedSection {

    static final double RATE = 3000;
    static final int CLIENTS = 8;
    static final int SERVERS = 4;

    private final Harness h;

    PacedSection(Harness h) {
        this.h = h;
    }

    /** The warm-up and window of a paced run, in ms: shorter with {@code --quick}. */
    static long[] timing(boolean quick) {
        return quick ? new long[] {1000, 2000} : new long[] {2000, 5000};
    }

    /** Paced's command line for one configuration. */
    static List<String> command(Harness h, List<String> jvmArgs) {
        long[] t = timing(h.quick());
        return h.java(h.jdk17(), false, jvmArgs, "io.socketaudit.bench.Paced", (long) RATE, CLIENTS,
                SERVERS, t[0], t[1]);
    }

    void run() throws Exception {
        int runs = h.quick() ? 2 : 5;
        long[] t = timing(h.quick());
        Path dir = h.workDir().resolve("paced");
        List<Config> configs = new ArrayList<>(List.of(
                new Config("bare", "bare", List.of()),
                new Config("agent", "agent (default settings)", List.of("-javaagent:" + h.agentJar() + "=file=" + dir.resolve("audit.jsonl"))),
                new Config("floor", "agent's floor (its hooks, kernel queries and stack captures only)",
                        List.of("-javaagent:" + h.agentJar() + "=file=" + dir.resolve("audit.jsonl"),
                                "-D" + Paced.FLOOR_PROPERTY + "=true")),
                new Config("jfr", "JFR socket events", List.of("-XX:StartFlightRecording=filename=" + dir.resolve("rec.jfr")
                        + ",settings=" + h.jfc()))));
        String leak = h.option("leak-detector");
        String leakNote = "lib-file-leak-detector was not measured: no `--leak-detector JAR` was given.";
        String leakOption = "";
        if (leak != null) {
            Path jar = Path.of(leak).toAbsolutePath();
            leakOption = " --leak-detector " + h.displayCommand(List.of(jar.toString()));
            String problem = leakDetectorProblem(jar);
            if (problem == null) {
                configs.add(new Config("leak", "lib-file-leak-detector (default options)", List.of("-javaagent:" + jar)));
                leakNote = "lib-file-leak-detector (`" + h.displayCommand(List.of(jar.toString())) + "`, default options:"
                        + " it keeps the opening stack of every open file and socket in memory) runs as `-javaagent:JAR`.";
            } else {
                leakNote = "lib-file-leak-detector (`" + h.displayCommand(List.of(jar.toString())) + "`) was left out: a"
                        + " hello-world with it did not start on JDK 17 (" + problem + ").";
                log("paced: " + leakNote);
            }
        }

        Rounds cpu = new Rounds();
        Rounds jit = new Rounds();
        Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<String> example = List.of();
        for (int run = 1; run <= runs; run++) {
            h.awaitQuiet("paced round " + run);
            for (Config c : configs) {
                Files.createDirectories(dir);
                List<String> cmd = command(h, c.jvmArgs());
                if (c.name().equals("agent")) {
                    example = cmd;
                }
                Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).netns().timeout(120));
                deleteTree(dir);
                Map<String, String> r = Results.parse(o.stdout());
                double connections = num(r, "connections");
                if (!o.ok() || r.isEmpty() || num(r, "errors") > 0 || !(connections > 0)) {
                    failures.add(c.name() + " run " + run + ": exit " + o.exitCode() + " " + tail(o.stderr()) + " " + r);
                    continue;
                }
                double other = num(r, "otherCores");
                h.noteOtherCores(other);
                cpu.add(c.name(), run, num(r, "cpuPerConnectionUs"), other);
                jit.add(c.name(), run, num(r, "jitThreadsCpuNs") / 1e6, other);
                Map<String, List<Double>> v = values.computeIfAbsent(c.name(), k -> new LinkedHashMap<>());
                add(v, "rate", num(r, "rate"));
                add(v, "jitPerConnection", num(r, "jitThreadsCpuNs") / 1e3 / connections);
                add(v, "agentPerConnection", num(r, "agentCpuNs") / 1e3 / connections);
                add(v, "appPerConnection", num(r, "appCpuNs") / 1e3 / connections);
                add(v, "jfrPerConnection", num(r, "jfrCpuNs") / 1e3 / connections);
                add(v, "otherCores", other);
                log(String.format("paced %-6s run %d: %.1f µs CPU per connection at %,.0f connections/s (JIT %.0f ms,"
                        + " agent threads %.1f µs per connection, other processes %.2f cores)", c.name(), run,
                        num(r, "cpuPerConnectionUs"), num(r, "rate"), num(r, "jitThreadsCpuNs") / 1e6,
                        num(r, "agentCpuNs") / 1e3 / connections, other));
            }
        }

        double bareJitPerConnection = median(values, "bare", "jitPerConnection");
        List<List<String>> rows = new ArrayList<>();
        for (Config c : configs) {
            List<Double> v = cpu.rates(c.name());
            List<Double> diff = cpu.differences(c.name(), "bare");
            double jitPerConnection = median(values, c.name(), "jitPerConnection");
            rows.add(List.of(c.label(), String.valueOf(v.size()), Md.num(median(values, c.name(), "rate"), 0),
                    Md.num(Stats.median(v), 1) + " (" + Md.range(Stats.min(v), Stats.max(v), 1) + ")",
                    c.name().equals("bare") ? "" : signed(Stats.median(diff)) + " (" + Md.range(Stats.min(diff), Stats.max(diff), 1) + ")",
                    Md.num(jitPerConnection, 1), Md.num(Stats.ratio(jitPerConnection, bareJitPerConnection), 2),
                    Md.num(Stats.median(jit.rates(c.name())), 0),
                    Md.num(median(values, c.name(), "agentPerConnection"), 1),
                    Md.num(median(values, c.name(), "jfrPerConnection"), 1),
                    Md.num(median(values, c.name(), "appPerConnection"), 1),
                    Md.num(median(values, c.name(), "otherCores"), 2)));
        }
        h.section("7. CPU per connection at a fixed rate",
                "`io.socketaudit.bench.Paced`: " + Md.num(RATE, 0) + " connections/s handed by a pacer thread (parked between"
                + " connections, never spinning) to " + CLIENTS + " client threads, " + SERVERS + " server threads answering,"
                + " both ends in one JVM (JDK 17, default flags); each connection is connect → 64-byte request → 64-byte"
                + " response → close, as in churn, but the cores are not saturated: this is what a service pays per"
                + " connection rather than how many it can push. The process's CPU time"
                + " (`OperatingSystemMXBean.getProcessCpuTime()`) over a " + t[1] / 1000.0 + " s window after "
                + t[0] / 1000.0 + " s of warm-up, divided by the connections completed in it; each run a fresh JVM in a fresh"
                + " network namespace, configurations alternating, " + runs + " rounds. \"Added\" is the median of the"
                + " per-round differences to bare's run of the same round (min – max of them in brackets). JIT compiler"
                + " threads (C1, C2) from `/proc/self/task/*/stat` (10 ms ticks), per connection and in the whole window;"
                + " \"× bare\" is the median over bare's median. Agent, JFR and client + server threads from"
                + " `ThreadMXBean`. The agent's floor is the agent with its recorder replaced by `FloorListener`"
                + " (`-D" + Paced.FLOOR_PROPERTY + "=true`): the same hooks, at each only the kernel queries the recorder"
                + " makes there and one `new Throwable()`, nothing queued or written; what no implementation of this design"
                + " can go below. " + leakNote + "\n\n"
                + h.commandNote("paced", leakOption, example, true) + "\n"
                + Md.table(List.of("configuration", "runs", "connections/s", "CPU per connection, µs: median (min – max)",
                        "added vs bare, µs (paired)", "JIT compiler threads, µs per connection", "JIT × bare",
                        "JIT compiler CPU in window, ms", "agent threads, µs per connection", "JFR threads, µs per connection",
                        "client + server threads, µs per connection", "other processes (cores)"), rows)
                + failureNote(failures));

        double agentAdded = Stats.median(cpu.differences("agent", "bare"));
        double jfrAdded = Stats.median(cpu.differences("jfr", "bare"));
        double floorAdded = Stats.median(cpu.differences("floor", "bare"));
        String leakAdded = configs.stream().anyMatch(c -> c.name().equals("leak"))
                ? "; lib-file-leak-detector " + signed(Stats.median(cpu.differences("leak", "bare"))) + " µs" : "";
        h.target("Paced " + Md.num(RATE, 0) + " connections/s: agent's added CPU per connection ≤ JFR socket events' added CPU",
                "agent " + signed(agentAdded) + " µs, JFR " + signed(jfrAdded) + " µs per connection (medians of per-round"
                + " differences to bare, bare " + Md.num(Stats.median(cpu.rates("bare")), 1) + " µs" + leakAdded
                + "; the agent's floor " + signed(floorAdded) + " µs)",
                isKnown(agentAdded) && isKnown(jfrAdded) ? agentAdded <= jfrAdded : null);
        h.target("Paced " + Md.num(RATE, 0) + " connections/s: agent's added CPU per connection ≤ 25 µs (stretch)",
                signed(agentAdded) + " µs per connection", isKnown(agentAdded) ? agentAdded <= 25 : null);
        double agentJit = Stats.median(jit.rates("agent"));
        double bareJit = Stats.median(jit.rates("bare"));
        h.target("Paced " + Md.num(RATE, 0) + " connections/s: JIT compiler CPU in the window with the agent ≤ 1.5× bare's",
                Md.num(agentJit, 0) + " ms against bare's " + Md.num(bareJit, 0) + " ms in the " + t[1] / 1000.0 + " s window ("
                + Md.num(Stats.ratio(agentJit, bareJit), 2) + "×; medians, 10 ms ticks)",
                isKnown(agentJit) && isKnown(bareJit) ? agentJit <= 1.5 * bareJit : null);
    }

    /**
     * Why lib-file-leak-detector cannot be measured, or null when a hello-world starts with it: the jar on Maven
     * Central (1.13) predates JDK 13's socket implementation and stops the JVM on JDK 17.
     */
    private String leakDetectorProblem(Path jar) throws Exception {
        if (!Files.isRegularFile(jar)) {
            return "no file " + jar;
        }
        List<String> cmd = h.java(h.jdk17(), false, List.of("-javaagent:" + jar), "io.socketaudit.bench.Hello");
        Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).timeout(60));
        if (o.ok() && !Results.parse(o.stdout()).isEmpty()) {
            return null;
        }
        for (String line : o.stderr().split("\n")) {
            if (line.startsWith("Caused by:") || line.contains("Exception") || line.contains("Error")) {
                String last = line.trim();
                // the innermost cause says the most
                for (String later : o.stderr().substring(o.stderr().indexOf(line)).split("\n")) {
                    if (later.startsWith("Caused by:")) {
                        last = later.trim();
                    }
                }
                return "exit " + o.exitCode() + ": `" + last.replace('`', '\'') + "`";
            }
        }
        return "exit " + o.exitCode() + ": " + tail(o.stderr()).replace('\n', ' ');
    }

    private static double median(Map<String, Map<String, List<Double>>> values, String config, String measure) {
        return Stats.median(values.getOrDefault(config, Map.of()).getOrDefault(measure, List.of()));
    }

    private static void add(Map<String, List<Double>> m, String measure, double value) {
        m.computeIfAbsent(measure, k -> new ArrayList<>()).add(value);
    }

    static String signed(double v) {
        return isKnown(v) && v >= 0 ? "+" + Md.num(v, 1) : Md.num(v, 1);
    }
}
