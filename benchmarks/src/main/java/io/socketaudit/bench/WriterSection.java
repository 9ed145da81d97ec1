package io.socketaudit.bench;

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
 * The log writer alone ({@link WriterBench}): its sustained rate with captured close events handed over all at once,
 * and what it drops when they come at a fixed rate, with the plain and the gzip log.
 */
final class WriterSection {

    private WriterSection() {
    }

    static void run(Harness h) throws Exception {
        int events = h.quick() ? 100_000 : 400_000;
        int drainRuns = h.quick() ? 1 : 3;
        int pacedRuns = h.quick() ? 1 : 3;
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
                Path dir = h.workDir().resolve("writer");
                List<String> cmd = h.java(h.jdk17(), true, List.of("-Xms3g", "-Xmx3g"), "io.socketaudit.bench.WriterBench",
                        paced ? "paced" : "drain", events, pacedRate, paced ? 65536 : events, 32, dir, compress);
                if (example.isEmpty()) {
                    example = cmd;
                }
                Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).timeout(600));
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
        h.section("4. Log writer",
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
                + h.commandNote("writer", "", example, false) + "\n"
                + Md.table(List.of("feed", "events", "offered/s", "seconds", "written/s", "eventsWritten", "dropped",
                        "bytes per event"), rows) + failureNote(failures));
        h.target("Writer ≥ 200,000 close events/s, none dropped", Md.num(rate, 0) + " events/s (median of "
                + rates.getOrDefault("none", List.of()).size() + "); paced at 200,000/s into the default queue: "
                + Md.num(pacedPlainDropped, 0) + " dropped (runs that dropped any: " + pacedRunsDropping.getOrDefault("none", 0)
                + " of " + pacedRuns + "). With `compress=gzip`: "
                + Md.num(Stats.median(rates.getOrDefault("gzip", List.of())), 0) + " events/s, "
                + Md.num(pacedDropped.getOrDefault("gzip", Double.NaN), 0) + " dropped paced (runs that dropped any: "
                + pacedRunsDropping.getOrDefault("gzip", 0) + " of " + pacedRuns + ")",
                isKnown(rate) ? rate >= 200_000 && noneDropped && pacedPlainDropped == 0 : null);
    }
}
