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
import static io.socketaudit.bench.Harness.otherUserCores;
import static io.socketaudit.bench.Harness.tail;
import static io.socketaudit.bench.Harness.toD;

/**
 * Connection churn ({@link Churn}) with the JVM's default flags, measured twice: after a short warm-up, where the
 * JIT is still compiling the agent's code and a service that was just started pays that, and after a long one, the
 * steady state. Bare, the agent, JFR's socket events (and, in the long pass, the agent with a gzip log) alternate in
 * rounds, each run a fresh JVM in a fresh network namespace.
 */
final class ChurnSection {

    /** The churn configuration with the compressed log, whose bytes on disk the ≤ 300 bytes target is checked on. */
    static final String GZIP = "agent-gzip";

    private final Harness h;

    ChurnSection(Harness h) {
        this.h = h;
    }

    /** What one pass (one warm-up) measured: its tables, and the figures the targets are checked on. */
    private record Pass(long warmupMillis, String text, Rounds rounds, Map<String, List<Double>> jitMillis,
                        boolean anyAgentRun, boolean everyCloseLogged, long dropped, double plainBytes, double gzipBytes,
                        double closeLineBytes) {

        double median(String config) {
            return Stats.median(rounds.rates(config));
        }

        double ratio(String config) {
            return Stats.ratio(median(config), median("bare"));
        }

        double paired(String config) {
            return Stats.median(rounds.paired(config, "bare"));
        }

        String seconds() {
            return Md.num(warmupMillis / 1000.0, warmupMillis % 1000 == 0 ? 0 : 1);
        }
    }

    void run() throws Exception {
        boolean quick = h.quick();
        int runs = quick ? 2 : 5;
        long measure = quick ? 2000 : 5000;
        // Long enough for the JIT to have finished with the agent's code too (its compiler threads as idle in the
        // window as without the agent); the short one is what a freshly started service pays.
        long steadyWarmup = quick ? 3000 : 12000;
        long coldWarmup = quick ? 1000 : 2000;
        int clients = 4;
        int servers = 4;
        Pass steady = pass(steadyWarmup, true, runs, measure, clients, servers);
        // The gzip log is left out after the short warm-up: what compression costs is a steady-state question, and
        // the full run must stay well under half an hour.
        Pass cold = pass(coldWarmup, false, runs, measure, clients, servers);

        h.section("1. Connection churn",
                "Loopback, both ends in one JVM (JDK 17, the JVM's default flags: no `-Xms`/`-Xmx`, G1), " + clients
                + " client threads and " + servers + " server threads; each connection is connect → 64-byte request →"
                + " 64-byte response → close (the client closes after reading the response, the server closes after reading"
                + " the client's FIN). Connections completed in a " + measure / 1000.0 + " s window, measured twice: after "
                + steady.seconds() + " s of warm-up (the steady state) and after " + cold.seconds() + " s (a service just"
                + " started, while the JIT is still compiling). Each run is a fresh JVM in a fresh network namespace"
                + (h.launcher().netnsAvailable() ? "" : " (**not available: runs shared the host's TCP state**)")
                + ", configurations alternating, " + runs + " runs each. JFR records `jdk.SocketRead` and `jdk.SocketWrite`"
                + " only, threshold 0 ms, with stack traces, to a file"
                + " (`benchmarks/src/main/resources/io/socketaudit/bench/socket-events.jfc`). `compress=gzip` writes the"
                + " agent's log gzip-compressed (deflate level 1, sync-flushed after every batch; measured after the long"
                + " warm-up only). \"Paired\" is the median of the per-round ratios (each run divided by the bare run of the"
                + " same round), which a machine whose load drifts during the whole run moves less than the ratio of medians."
                + " \"JIT compiler CPU\" is the CPU time of the JVM's C1 and C2 compiler threads during the window"
                + " (`/proc/self/task/*/stat`, 10 ms ticks), and \"× bare\" its median over bare's. \"Other processes\" is"
                + " the CPU time other user processes used during the window, in cores (of "
                + Runtime.getRuntime().availableProcessors() + "): the noise; \"kernel threads\" is the kernel's own"
                + " threads (file write-back among them, which the agent's log and JFR's recording cause too). \"Quiet"
                + " rounds\" is the paired ratio over only the rounds where other processes used under "
                + QuietMachine.QUIET_RUN_CORES + " cores during both windows (how many in brackets).\n\n"
                + "Where the CPU goes: CPU time per connection in the measured window (µs, medians over the runs), of the"
                + " whole process and of its Java threads by group (`ThreadMXBean`): the benchmark's client and server threads"
                + " (which run the agent's capture inside their closes and opens), the agent's threads (`socket-audit-*`: the"
                + " writer), JFR's threads, other Java threads; then the JVM's own JIT compiler threads and garbage-collector"
                + " threads (and VM thread), from `/proc/self/task/*/stat` in 10 ms ticks; \"rest\" is what none of these"
                + " was charged with. Then the collectors' pause time per connection (µs) and collections per second. The"
                + " figures of one run are approximate: loopback packet processing (softirq) is charged to whichever thread"
                + " the CPU was running, another process's included, so per-thread CPU moves with the machine's other load."
                + " Wake-ups and writes per connection in the window (from `/proc/self/task/*/status` voluntary context"
                + " switches and `/proc/self/io` `syscw`): a thread that goes to sleep to wait switches once and is woken once;"
                + " the agent's events per connection are 4 (an open and a close at each end).\n\n"
                + "Every close recorded? `close` lines with `\"api\":\"Socket\"` in the agent's log (all rotated files) against"
                + " 2 × connections (both ends; the listener's own close is not counted), and the `agent_stop` line. \"Log"
                + " bytes per close\" is the whole log on disk (opens, stacks, closes; compressed with `compress=gzip`)"
                + " divided by the close lines; \"bytes per close line\" is the close line alone, uncompressed.\n"
                + "\n### After " + steady.seconds() + " s of warm-up\n\n" + steady.text()
                + "\n### After " + cold.seconds() + " s of warm-up\n\n" + cold.text());

        double agentRatio = steady.ratio("agent");
        List<Double> agentQuiet = steady.rounds().pairedWhere("agent", "bare", QuietMachine.QUIET_RUN_CORES);
        List<Double> jfrQuiet = steady.rounds().pairedWhere("jfr", "bare", QuietMachine.QUIET_RUN_CORES);
        String steadyMeasured = "ratio " + Md.ratio(agentRatio) + " (paired " + Md.ratio(steady.paired("agent"))
                + "; quiet rounds only: " + (agentQuiet.isEmpty() ? "none" : Md.ratio(Stats.median(agentQuiet)) + " over "
                + agentQuiet.size()) + "; " + Md.num(steady.median("agent"), 0) + " vs " + Md.num(steady.median("bare"), 0)
                + " connections/s; JIT compiler CPU " + jitVersusBare(steady, "agent") + ")";
        h.target("Churn throughput with the agent ≥ 0.975 of bare (after " + steady.seconds() + " s of warm-up)",
                steadyMeasured, isKnown(agentRatio) ? agentRatio >= 0.975 : null);
        h.target("Churn after " + steady.seconds() + " s of warm-up, default JVM flags: agent ≥ 0.95× bare", steadyMeasured,
                isKnown(agentRatio) ? agentRatio >= 0.95 : null);
        double agent = steady.median("agent");
        double jfr = steady.median("jfr");
        h.target("Churn with the agent faster than with JFR socket events (after " + steady.seconds() + " s of warm-up)",
                Md.num(agent, 0) + " vs " + Md.num(jfr, 0) + " connections/s (JFR ratio " + Md.ratio(steady.ratio("jfr"))
                + "; quiet rounds only: agent " + (agentQuiet.isEmpty() ? "n/a" : Md.ratio(Stats.median(agentQuiet)))
                + ", JFR " + (jfrQuiet.isEmpty() ? "n/a" : Md.ratio(Stats.median(jfrQuiet))) + ")",
                isKnown(agent) && isKnown(jfr) ? agent > jfr : null);
        double coldAgent = cold.ratio("agent");
        double coldJfr = cold.ratio("jfr");
        h.target("Churn after " + cold.seconds() + " s of warm-up: agent ≥ JFR's ratio and ≥ 0.90× bare",
                "agent " + Md.ratio(coldAgent) + " (paired " + Md.ratio(cold.paired("agent")) + "), JFR " + Md.ratio(coldJfr)
                + " (paired " + Md.ratio(cold.paired("jfr")) + "); " + Md.num(cold.median("agent"), 0) + " vs "
                + Md.num(cold.median("bare"), 0) + " connections/s; JIT compiler CPU " + jitVersusBare(cold, "agent"),
                isKnown(coldAgent) && isKnown(coldJfr) ? coldAgent >= coldJfr && coldAgent >= 0.90 : null);
        boolean everyClose = steady.everyCloseLogged() && cold.everyCloseLogged();
        h.target("Every close in the log, none dropped (churn)", everyClose ? "all closes logged in every agent run (both"
                + " warm-ups), " + (steady.dropped() + cold.dropped()) + " dropped" : "**closes missing or dropped**, see the tables",
                steady.anyAgentRun() || cold.anyAgentRun() ? everyClose : null);
        h.target("≤ 300 bytes on disk per close event (churn)", Md.num(steady.gzipBytes(), 0) + " bytes of log per close with"
                + " `compress=gzip` (default plain log: " + Md.num(steady.plainBytes(), 0) + ", its close line alone "
                + Md.num(steady.closeLineBytes(), 0) + ")", isKnown(steady.gzipBytes()) ? steady.gzipBytes() <= 300 : null);
    }

    /** "X ms in the window, Y× bare's" for a configuration of a pass. */
    private static String jitVersusBare(Pass pass, String config) {
        double jit = Stats.median(pass.jitMillis().getOrDefault(config, List.of()));
        double bare = Stats.median(pass.jitMillis().getOrDefault("bare", List.of()));
        return Md.num(jit, 0) + " ms in the window against bare's " + Md.num(bare, 0) + " ms";
    }

    private List<Config> configs(Path dir, boolean withGzip) {
        Path agentJar = h.agentJar();
        List<Config> configs = new ArrayList<>(List.of(
                new Config("bare", "bare", List.of()),
                new Config("agent", "agent (default settings)", List.of("-javaagent:" + agentJar + "=file=" + dir.resolve("audit.jsonl"))),
                new Config("jfr", "JFR socket events", List.of("-XX:StartFlightRecording=filename=" + dir.resolve("rec.jfr")
                        + ",settings=" + h.jfc()))));
        if (withGzip) {
            configs.add(new Config(GZIP, "agent, `compress=gzip`",
                    List.of("-javaagent:" + agentJar + "=file=" + dir.resolve("audit.jsonl") + ",compress=gzip")));
        }
        if (h.option("churn-depth1") != null) {
            configs.add(new Config("agent-depth1", "agent, `stack.depth=1` (diagnostic)",
                    List.of("-javaagent:" + agentJar + "=file=" + dir.resolve("audit.jsonl") + ",stack.depth=1")));
        }
        return configs;
    }

    private Pass pass(long warmup, boolean withGzip, int runs, long measure, int clients, int servers) throws Exception {
        Path dir = h.workDir().resolve("churn");
        List<Config> configs = configs(dir, withGzip);
        String tag = "churn " + warmup / 1000.0 + " s";
        Rounds rounds = new Rounds();
        Map<String, List<Double>> kernelThreads = new LinkedHashMap<>();
        Map<String, List<Double>> jitMillis = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> cpu = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<List<String>> agentRows = new ArrayList<>();
        List<Long> timeWait = new ArrayList<>();
        long overflow = 0;
        long jfrReads = -1;
        long jfrWrites = -1;
        List<Double> jfrBytesPerConnection = new ArrayList<>();
        Map<String, List<Double>> bytesPerClose = new LinkedHashMap<>();
        List<Double> closeLineBytes = new ArrayList<>();
        boolean everyCloseLogged = true;
        long totalDropped = 0;
        List<String> example = List.of();
        for (int run = 1; run <= runs; run++) {
            h.awaitQuiet(tag + " round " + run);
            for (Config c : configs) {
                Files.createDirectories(dir);
                List<String> cmd = h.java(h.jdk17(), false, c.jvmArgs(), "io.socketaudit.bench.Churn", clients, servers,
                        warmup, measure);
                if (c.name().equals("agent")) {
                    example = cmd;
                }
                Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).netns().timeout(120));
                Map<String, String> r = Results.parse(o.stdout());
                if (!o.ok() || r.isEmpty() || num(r, "errors") > 0) {
                    failures.add(c.name() + " run " + run + ": exit " + o.exitCode() + " " + tail(o.stderr()) + " " + r);
                    deleteTree(dir);
                    continue;
                }
                double rate = num(r, "rate");
                double other = otherUserCores(r);
                rounds.add(c.name(), run, rate, other);
                kernelThreads.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(num(r, "kernelThreadCores"));
                jitMillis.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(num(r, "jitThreadsCpuNs") / 1e6);
                h.noteOtherCores(other);
                timeWait.add((long) num(r, "timeWait"));
                overflow += (long) num(r, "timeWaitOverflow");
                double windowConnections = num(r, "connections");
                Map<String, List<Double>> cpuOf = cpu.computeIfAbsent(c.name(), k -> new LinkedHashMap<>());
                double javaThreads = 0;
                for (String g : List.of("process", "app", "agent", "jfr", "otherJava", "jitThreads", "gcThreads")) {
                    double ns = num(r, g + "CpuNs");
                    cpuOf.computeIfAbsent(g, k -> new ArrayList<>()).add(ns / 1000 / windowConnections);
                    javaThreads += g.equals("process") ? 0 : ns;
                }
                cpuOf.computeIfAbsent("rest", k -> new ArrayList<>())
                        .add((num(r, "processCpuNs") - javaThreads) / 1000 / windowConnections);
                cpuOf.computeIfAbsent("gcCount", k -> new ArrayList<>()).add(num(r, "gcCount") / num(r, "seconds"));
                cpuOf.computeIfAbsent("gcMillis", k -> new ArrayList<>()).add(num(r, "gcMillis") * 1000 / windowConnections);
                for (String g : List.of("appSwitches", "agentSwitches", "jfrSwitches", "writeSyscalls")) {
                    cpuOf.computeIfAbsent(g, k -> new ArrayList<>()).add(num(r, g) / windowConnections);
                }
                long connections = (long) num(r, "totalConnections");
                long serverConnections = (long) num(r, "serverConnections");
                String line = String.format("%s %-12s run %d: %,.0f connections/s (JIT %.0f ms, other processes %.2f cores,"
                        + " kernel threads %.2f cores)", tag, c.name(), run, rate, num(r, "jitThreadsCpuNs") / 1e6, other,
                        num(r, "kernelThreadCores"));
                if (c.name().startsWith("agent")) {
                    LogScan scan = LogScan.of(dir, "audit.jsonl");
                    long expected = connections + serverConnections;
                    boolean all = scan.connectionCloses() == expected && scan.dropped() == 0;
                    everyCloseLogged &= all;
                    totalDropped += Math.max(0, scan.dropped());
                    bytesPerClose.computeIfAbsent(c.name(), k -> new ArrayList<>()).add((double) scan.bytes() / scan.closeLines());
                    if (c.name().equals("agent")) {
                        closeLineBytes.add((double) scan.closeLineBytes() / scan.closeLines());
                    }
                    agentRows.add(List.of(c.name(), String.valueOf(run), Md.num(connections, 0), Md.num(expected, 0),
                            Md.num(scan.connectionCloses(), 0), all ? "yes" : "**no**", Md.num(scan.eventsWritten(), 0),
                            Md.num(scan.dropped(), 0), Md.num(scan.agentErrors(), 0), Md.num(scan.files(), 0),
                            Md.num((double) scan.bytes() / scan.closeLines(), 0),
                            Md.num((double) scan.closeLineBytes() / scan.closeLines(), 0)));
                    line += String.format(", %d/%d closes logged, %d dropped", scan.connectionCloses(), expected, scan.dropped());
                } else if (c.name().equals("jfr")) {
                    Path rec = dir.resolve("rec.jfr");
                    if (Files.exists(rec)) {
                        jfrBytesPerConnection.add((double) Files.size(rec) / connections);
                        if (jfrReads < 0) {
                            Map<String, Long> counts = jfrCounts(rec);
                            jfrReads = counts.getOrDefault("jdk.SocketRead", 0L);
                            jfrWrites = counts.getOrDefault("jdk.SocketWrite", 0L);
                            line += String.format(", JFR recorded %d reads and %d writes for %d connections",
                                    jfrReads, jfrWrites, connections);
                        }
                    }
                }
                log(line);
                deleteTree(dir);
                // Write-back of this run's log or recording must not land in the next run's window.
                Launcher.exec("sync");
            }
        }
        double bare = Stats.median(rounds.rates("bare"));
        double bareJit = Stats.median(jitMillis.getOrDefault("bare", List.of()));
        List<List<String>> rows = new ArrayList<>();
        for (Config c : configs) {
            List<Double> v = rounds.rates(c.name());
            List<Double> quiet = rounds.pairedWhere(c.name(), "bare", QuietMachine.QUIET_RUN_CORES);
            double jit = Stats.median(jitMillis.getOrDefault(c.name(), List.of()));
            rows.add(List.of(c.label(), String.valueOf(v.size()), Md.num(Stats.median(v), 0),
                    Md.range(Stats.min(v), Stats.max(v), 0), Md.ratio(Stats.ratio(Stats.median(v), bare)),
                    Md.ratio(Stats.median(rounds.paired(c.name(), "bare"))),
                    quiet.isEmpty() ? "no quiet round" : Md.ratio(Stats.median(quiet)) + " (" + quiet.size() + ")",
                    Md.num(jit, 0), Md.num(Stats.ratio(jit, bareJit), 2),
                    Md.num(Stats.median(rounds.otherCores(c.name())), 2),
                    Md.num(Stats.median(kernelThreads.getOrDefault(c.name(), List.of())), 2)));
        }
        List<List<String>> cpuRows = new ArrayList<>();
        List<List<String>> switchRows = new ArrayList<>();
        for (Config c : configs) {
            Map<String, List<Double>> cpuOf = cpu.getOrDefault(c.name(), Map.of());
            List<String> row = new ArrayList<>(List.of(c.label()));
            for (String g : List.of("process", "app", "agent", "jfr", "otherJava", "jitThreads", "gcThreads", "rest",
                    "gcMillis", "gcCount")) {
                row.add(Md.num(Stats.median(cpuOf.getOrDefault(g, List.of())), 1));
            }
            cpuRows.add(row);
            List<String> sw = new ArrayList<>(List.of(c.label()));
            for (String g : List.of("appSwitches", "agentSwitches", "jfrSwitches", "writeSyscalls")) {
                sw.add(Md.num(Stats.median(cpuOf.getOrDefault(g, List.of())), 2));
            }
            switchRows.add(sw);
        }
        String text = h.commandNote("churn", h.option("churn-depth1") != null ? " --churn-depth1" : "", example, true) + "\n"
                + Md.table(List.of("configuration", "runs", "connections/s (median)", "spread (min – max)",
                        "ratio to bare (medians)", "ratio to bare (paired)", "ratio, quiet rounds only",
                        "JIT compiler CPU in window, ms (median)", "JIT × bare", "other processes (cores)",
                        "kernel threads (cores)"), rows)
                + "\nCPU per connection (µs):\n\n"
                + Md.table(List.of("configuration", "process", "client + server threads", "agent threads", "JFR threads",
                        "other Java threads", "JIT compiler threads", "GC + VM threads", "rest", "GC pauses", "GCs per s"), cpuRows)
                + "\nWake-ups and writes per connection:\n\n"
                + Md.table(List.of("configuration", "client + server thread sleeps", "agent thread sleeps", "JFR thread sleeps",
                        "write syscalls (process)"), switchRows)
                + "\nTCP state at the end of each run: TIME_WAIT sockets " + Md.range(Stats.min(toD(timeWait)),
                        Stats.max(toD(timeWait)), 0) + ", `TCPTimeWaitOverflow` " + overflow + " in all runs together"
                + " (0: no run reached the namespace's `tcp_max_tw_buckets`).\n\n"
                + "Every close recorded?\n\n"
                + Md.table(List.of("configuration", "run", "connections", "closes expected", "close lines", "all there",
                        "eventsWritten", "dropped", "agentErrors", "files", "log bytes per close", "bytes per close line"), agentRows)
                + (jfrReads >= 0 ? String.format("\nJFR recorded %,d `jdk.SocketRead` and %,d `jdk.SocketWrite` events in its first run"
                        + " (3 reads and 2 writes per connection); its recording is %s bytes per connection (median).%n",
                        jfrReads, jfrWrites, Md.num(Stats.median(jfrBytesPerConnection), 0)) : "")
                + failureNote(failures);
        return new Pass(warmup, text, rounds, jitMillis, !agentRows.isEmpty(), everyCloseLogged, totalDropped,
                Stats.median(bytesPerClose.getOrDefault("agent", List.of())),
                Stats.median(bytesPerClose.getOrDefault(GZIP, List.of())), Stats.median(closeLineBytes));
    }

    private Map<String, Long> jfrCounts(Path recording) {
        Map<String, Long> counts = new LinkedHashMap<>();
        String summary = Launcher.exec(h.jdk17().resolve("bin/jfr").toString(), "summary", recording.toString());
        for (String line : summary.split("\n")) {
            String[] f = line.trim().split(" +");
            if (f.length >= 3 && f[0].startsWith("jdk.")) {
                try {
                    counts.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException e) {
                    // a header
                }
            }
        }
        return counts;
    }
}
