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
 * Start-up of a hello-world ({@link Hello}), bare and with the agent, on JDK 17 and JDK 25: time to {@code main()},
 * to the first connection closed, exec to exit (wall), and the CPU time (user + system) the whole process used.
 * Two programs: the plain hello-world (prints and returns: an agent's background start shows at exit) and one that
 * also opens and closes a loopback connection (where the agent holds the socket classes back until it is ready).
 */
final class StartupSection {

    private static final String PLAIN = "hello-world";
    private static final String CONNECTION = "hello-world + one connection";

    private final Harness h;

    StartupSection(Harness h) {
        this.h = h;
    }

    void run() throws Exception {
        int runs = h.quick() ? 3 : 12;
        Map<String, Path> jdks = new LinkedHashMap<>();
        jdks.put("17", h.jdk17());
        if (h.jdk25() != null) {
            jdks.put("25", h.jdk25());
        }
        // jdk/program/configuration -> measure -> values (ms)
        Map<String, Map<String, List<Double>>> ms = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        Path dir = h.workDir().resolve("startup");
        List<String> example = List.of();
        for (int run = 1; run <= runs; run++) {
            h.awaitQuiet("startup round " + run);
            for (Map.Entry<String, Path> jdk : jdks.entrySet()) {
                for (String program : List.of(PLAIN, CONNECTION)) {
                    for (String cfg : Harness.START_CONFIGURATIONS) {
                        String key = jdk.getKey() + "/" + program + "/" + cfg;
                        Files.createDirectories(dir);
                        List<String> args = h.startArgs(cfg, dir);
                        List<String> cmd = program.equals(PLAIN)
                                ? h.java(jdk.getValue(), false, args, "io.socketaudit.bench.Hello", "print")
                                : h.java(jdk.getValue(), false, args, "io.socketaudit.bench.Hello");
                        if (example.isEmpty() && cfg.equals("agent")) {
                            example = cmd;
                        }
                        Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).timeout(60));
                        deleteTree(dir);
                        Map<String, String> r = Results.parse(o.stdout());
                        if (!o.ok() || r.isEmpty()) {
                            failures.add(key + " run " + run + ": exit " + o.exitCode() + " " + tail(o.stderr()));
                            continue;
                        }
                        Map<String, List<Double>> m = ms.computeIfAbsent(key, k -> new LinkedHashMap<>());
                        add(m, "main", (num(r, "mainNanos") - o.startNanos()) / 1e6);
                        add(m, "connection", (num(r, "firstConnectionNanos") - o.startNanos()) / 1e6);
                        add(m, "exit", (o.endNanos() - o.startNanos()) / 1e6);
                        add(m, "cpu", o.cpuNanos() < 0 ? Double.NaN : o.cpuNanos() / 1e6);
                    }
                }
            }
            log(String.format("startup round %d of %d done", run, runs));
        }

        List<List<String>> rows = new ArrayList<>();
        Map<String, Map<String, Double>> added = new LinkedHashMap<>(); // measure -> jdk -> added ms (plain hello-world)
        for (String jdk : jdks.keySet()) {
            for (String program : List.of(PLAIN, CONNECTION)) {
                Map<String, List<Double>> bare = ms.getOrDefault(jdk + "/" + program + "/bare", Map.of());
                for (String cfg : Harness.START_CONFIGURATIONS) {
                    Map<String, List<Double>> m = ms.getOrDefault(jdk + "/" + program + "/" + cfg, Map.of());
                    List<String> row = new ArrayList<>(List.of(jdk, program, cfg,
                            String.valueOf(m.getOrDefault("exit", List.of()).size())));
                    for (String measure : List.of("main", "connection", "exit", "cpu")) {
                        List<Double> v = m.getOrDefault(measure, List.of());
                        double median = Stats.median(v);
                        double plus = median - Stats.median(bare.getOrDefault(measure, List.of()));
                        if (measure.equals("connection") && program.equals(PLAIN)) {
                            row.add("");
                            row.add("");
                            continue;
                        }
                        row.add(Md.num(median, 0) + " (" + Md.range(Stats.min(v), Stats.max(v), 0) + ")");
                        row.add(cfg.equals("bare") ? "" : signed(plus));
                        if (!cfg.equals("bare") && program.equals(PLAIN)) {
                            added.computeIfAbsent(cfg + "/" + measure, k -> new LinkedHashMap<>()).put(jdk, plus);
                        }
                    }
                    rows.add(row);
                }
            }
        }
        h.section("5. Start-up",
                "A hello-world (`io.socketaudit.bench.Hello print`) that prints `System.nanoTime()` first thing in `main`"
                + " and returns, and the same program opening and closing one loopback connection after it"
                + " (`io.socketaudit.bench.Hello`). The harness notes `System.nanoTime()` right before starting the process"
                + " and right after it has been reaped; on Linux the child reads the same monotonic clock, so the"
                + " differences are the time to `main()` (including `fork`/`exec`) and from exec to exit. \"First"
                + " connection\" is when that connection is closed. \"agent\" starts with the woven class cache that its"
                + " earlier runs filled, as a restarted service does: the JDK's socket classes are taken from it as they were"
                + " woven, and Byte Buddy is never loaded. \"" + Harness.FIRST_START + "\" starts with an empty cache each time (the"
                + " first start on a machine, or after the JDK or the agent changed): the agent gets Byte Buddy ready on a"
                + " daemon thread from its start, the thread that loads the first JDK socket class advises it, waiting for"
                + " what the daemon thread has not finished yet, and the daemon thread then weaves the JDK's socket classes"
                + " and writes the cache (exit waits for that once Byte Buddy is ready, never for Byte Buddy's start itself). CPU is the user + system time of the"
                + " whole process, all its threads, up to its exit (the harness's own `cutime + cstime` in"
                + " `/proc/self/stat`, before it started and after it was reaped: 10 ms resolution). The JVM's default flags;"
                + " JDKs, programs and configurations alternate, " + runs + " runs each; medians (min – max) in ms, and"
                + " what the agent adds to bare's median.\n\n"
                + h.commandNote("startup", "", example, false) + "\n"
                + Md.table(List.of("JDK", "program", "configuration", "runs", "to main()", "added", "to first connection closed",
                        "added", "exec to exit (wall)", "added", "CPU (user + sys)", "added"), rows) + failureNote(failures));
        startupTarget("Hello-world start-up, exec to exit (wall clock) ≤ +150 ms", added, "exit", 150);
        startupTarget("Hello-world start-up, CPU (user + sys) ≤ +300 ms", added, "cpu", 300);
        startupTarget("Hello-world start-up, time to main ≤ +100 ms", added, "main", 100);
    }

    /**
     * A start-up target checked on every JDK measured, for the agent as a restarted service runs it and at its first
     * start on a machine: met only when each of these added times is within the limit.
     */
    private void startupTarget(String name, Map<String, Map<String, Double>> added, String measure, double limit) {
        List<String> parts = new ArrayList<>();
        boolean over = false;
        boolean unknown = false;
        for (String cfg : List.of("agent", Harness.FIRST_START)) {
            Map<String, Double> addedByJdk = added.getOrDefault(cfg + "/" + measure, Map.of());
            List<String> jdks = new ArrayList<>();
            for (Map.Entry<String, Double> e : addedByJdk.entrySet()) {
                jdks.add(signed(e.getValue()) + " ms on JDK " + e.getKey());
                unknown |= !isKnown(e.getValue());
                over |= isKnown(e.getValue()) && e.getValue() > limit;
            }
            unknown |= addedByJdk.isEmpty();
            parts.add((cfg.equals("agent") ? "" : "first start (empty woven class cache): ") + String.join(", ", jdks));
        }
        h.target(name, String.join("; ", parts), over ? Boolean.FALSE : unknown ? null : Boolean.TRUE);
    }

    private static String signed(double v) {
        return isKnown(v) && v >= 0 ? "+" + Md.num(v, 0) : Md.num(v, 0);
    }

    private static void add(Map<String, List<Double>> m, String measure, double value) {
        m.computeIfAbsent(measure, k -> new ArrayList<>()).add(value);
    }
}
