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
 * An embedded Tomcat's first response ({@link FirstRequest}), bare and with the agent, JDK 17, alternating: the time
 * from exec to the first response arriving, and to exit, and the CPU the whole process used.
 */
final class ServerSection {

    private final Harness h;

    ServerSection(Harness h) {
        this.h = h;
    }

    void run() throws Exception {
        int runs = h.quick() ? 3 : 10;
        Path dir = h.workDir().resolve("server");
        Rounds firstResponse = new Rounds();
        Map<String, Map<String, List<Double>>> ms = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<String> example = List.of();
        String tomcatVersion = "";
        for (int run = 1; run <= runs; run++) {
            h.awaitQuiet("server round " + run);
            for (String cfg : Harness.START_CONFIGURATIONS) {
                Files.createDirectories(dir);
                List<String> args = h.startArgs(cfg, dir);
                List<String> cmd = h.java(h.jdk17(), false, args, "io.socketaudit.bench.FirstRequest", dir.resolve("tomcat"));
                if (cfg.equals("agent")) {
                    example = cmd;
                }
                Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).timeout(120));
                deleteTree(dir);
                Map<String, String> r = Results.parse(o.stdout());
                if (!o.ok() || r.isEmpty() || !"true".equals(r.get("ok"))) {
                    failures.add(cfg + " run " + run + ": exit " + o.exitCode() + " " + tail(o.stderr()) + " " + r);
                    continue;
                }
                if (tomcatVersion.isEmpty()) {
                    tomcatVersion = tomcatVersion(o.stderr());
                }
                double response = (num(r, "responseNanos") - o.startNanos()) / 1e6;
                firstResponse.add(cfg, run, response, 0);
                Map<String, List<Double>> m = ms.computeIfAbsent(cfg, k -> new LinkedHashMap<>());
                add(m, "started", (num(r, "startedNanos") - o.startNanos()) / 1e6);
                add(m, "exit", (o.endNanos() - o.startNanos()) / 1e6);
                add(m, "cpu", o.cpuNanos() < 0 ? Double.NaN : o.cpuNanos() / 1e6);
                log(String.format("server %-5s run %d: first response %.0f ms after exec, exit %.0f ms, CPU %.0f ms", cfg, run,
                        response, (o.endNanos() - o.startNanos()) / 1e6, o.cpuNanos() / 1e6));
            }
        }
        double bare = Stats.median(firstResponse.rates("bare"));
        List<List<String>> rows = new ArrayList<>();
        for (String cfg : Harness.START_CONFIGURATIONS) {
            List<Double> v = firstResponse.rates(cfg);
            Map<String, List<Double>> m = ms.getOrDefault(cfg, Map.of());
            rows.add(List.of(cfg, String.valueOf(v.size()), cell(m.get("started")),
                    cell(v), Md.ratio(Stats.ratio(Stats.median(v), bare)),
                    Md.ratio(Stats.median(firstResponse.paired(cfg, "bare"))), cell(m.get("exit")), cell(m.get("cpu"))));
        }
        h.section("9. An embedded server's first request",
                "An embedded Tomcat" + (tomcatVersion.isEmpty() ? "" : " (" + tomcatVersion + ")") + " (`io.socketaudit.bench.FirstRequest`,"
                + " `org.apache.tomcat.embed:tomcat-embed-core`) with one trivial servlet on an ephemeral loopback port; once it"
                + " has started, the same JVM sends it one `GET` over a plain `java.net.Socket` and reads the whole response"
                + " (`Connection: close`), then stops Tomcat and exits. Times from exec (the harness's `System.nanoTime()` right"
                + " before starting the process; the child reads the same monotonic clock) to Tomcat started, to the response"
                + " read, and to exit; CPU is the user + system time of the whole process (10 ms resolution). JDK 17, default"
                + " flags, bare and agent alternating, " + runs + " runs each; medians (min – max) in ms. \"Paired\" is the"
                + " median of the per-round ratios. \"agent\" starts with the woven class cache its earlier runs filled, as a"
                + " restarted service does; \"" + Harness.FIRST_START + "\" with an empty one each time (the first start on a"
                + " machine, or after the JDK or the agent changed), which weaves the JDK's socket classes with Byte Buddy and"
                + " writes the cache.\n\n"
                + h.commandNote("server", "", example, false) + "\n"
                + Md.table(List.of("configuration", "runs", "Tomcat started", "first response", "ratio to bare (medians)",
                        "ratio to bare (paired)", "exec to exit", "CPU (user + sys)"), rows)
                + failureNote(failures));
        double ratio = Stats.ratio(Stats.median(firstResponse.rates("agent")), bare);
        h.target("Embedded Tomcat, exec to first response: agent at most 10 % slower than bare (JDK 17)",
                Md.num(Stats.median(firstResponse.rates("agent")), 0) + " vs " + Md.num(bare, 0) + " ms: ratio "
                + Md.ratio(ratio) + " (paired " + Md.ratio(Stats.median(firstResponse.paired("agent", "bare"))) + "); the first"
                + " start on a machine (empty woven class cache) " + Md.num(Stats.median(firstResponse.rates(Harness.FIRST_START)), 0)
                + " ms: ratio " + Md.ratio(Stats.ratio(Stats.median(firstResponse.rates(Harness.FIRST_START)), bare)),
                isKnown(ratio) ? ratio <= 1.10 : null);
    }

    /** Tomcat's own version line from its start-up log ("Apache Tomcat/10.1.x"), or "". */
    private static String tomcatVersion(String log) {
        int at = log.indexOf("Apache Tomcat/");
        if (at < 0) {
            return "";
        }
        int end = at + "Apache Tomcat/".length();
        while (end < log.length() && !Character.isWhitespace(log.charAt(end)) && log.charAt(end) != ']') {
            end++;
        }
        return log.substring(at, end);
    }

    private static String cell(List<Double> v) {
        if (v == null || v.isEmpty()) {
            return "n/a";
        }
        return Md.num(Stats.median(v), 0) + " (" + Md.range(Stats.min(v), Stats.max(v), 0) + ")";
    }

    private static void add(Map<String, List<Double>> m, String measure, double value) {
        m.computeIfAbsent(measure, k -> new ArrayList<>()).add(value);
    }
}
