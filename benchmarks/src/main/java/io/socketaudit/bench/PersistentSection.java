package io.socketaudit.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.socketaudit.bench.Harness.concat;
import static io.socketaudit.bench.Harness.deleteTree;
import static io.socketaudit.bench.Harness.failureNote;
import static io.socketaudit.bench.Harness.isKnown;
import static io.socketaudit.bench.Harness.joinRatios;
import static io.socketaudit.bench.Harness.log;
import static io.socketaudit.bench.Harness.num;
import static io.socketaudit.bench.Harness.otherUserCores;
import static io.socketaudit.bench.Harness.tail;

/**
 * Long-lived loopback connections exchanging small messages, bare and with the agent, the JVM pinned to one CPU: what
 * the agent costs a connection it does not see open or close.
 */
final class PersistentSection {

    private PersistentSection() {
    }

    static void run(Harness h) throws Exception {
        int connections = 4;
        int runs = h.quick() ? 2 : 7;
        long warmup = h.quick() ? 500 : 1500;
        long measure = h.quick() ? 1500 : 4000;
        Path dir = h.workDir().resolve("persistent");
        List<Config> configs = List.of(new Config("bare", "bare", List.of()),
                new Config("agent", "agent (default settings)", List.of("-javaagent:" + h.agentJar() + "=file=" + dir.resolve("audit.jsonl"))));
        Rounds rounds = new Rounds();
        List<String> failures = new ArrayList<>();
        // The same command line every round.
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (Config c : configs) {
            commands.put(c.name(), h.java(h.jdk17(), false, concat(List.of("-Xms512m", "-Xmx512m"), c.jvmArgs()),
                    "io.socketaudit.bench.Persistent", connections, warmup, measure));
        }
        List<String> example = commands.get("agent");
        for (int run = 1; run <= runs; run++) {
            h.awaitQuiet("persistent round " + run);
            for (Config c : configs) {
                Files.createDirectories(dir);
                Launcher.Output o = h.launcher().run(new Launcher.Run(commands.get(c.name())).netns().cpu(1).timeout(120));
                Map<String, String> r = Results.parse(o.stdout());
                deleteTree(dir);
                if (!o.ok() || r.isEmpty()) {
                    failures.add(c.name() + " run " + run + ": exit " + o.exitCode() + " " + tail(o.stderr()));
                    continue;
                }
                rounds.add(c.name(), run, num(r, "rate"), otherUserCores(r));
                h.noteOtherCores(otherUserCores(r));
                log(String.format("persistent %-6s run %d: %,.0f round trips/s (other processes %.2f cores)", c.name(), run,
                        num(r, "rate"), otherUserCores(r)));
            }
        }
        double bare = Stats.median(rounds.rates("bare"));
        double agent = Stats.median(rounds.rates("agent"));
        List<Double> paired = rounds.paired("agent", "bare");
        List<Double> quietPaired = rounds.pairedWhere("agent", "bare", QuietMachine.QUIET_RUN_CORES);
        List<List<String>> rows = new ArrayList<>();
        for (Config c : configs) {
            List<Double> v = rounds.rates(c.name());
            List<Double> quiet = rounds.pairedWhere(c.name(), "bare", QuietMachine.QUIET_RUN_CORES);
            rows.add(List.of(c.label(), String.valueOf(v.size()), Md.num(Stats.median(v), 0), Md.range(Stats.min(v), Stats.max(v), 0),
                    Md.ratio(Stats.ratio(Stats.median(v), bare)), Md.ratio(Stats.median(rounds.paired(c.name(), "bare"))),
                    quiet.isEmpty() ? "no quiet round" : Md.ratio(Stats.median(quiet)) + " (" + quiet.size() + ")",
                    Md.num(Stats.median(rounds.otherCores(c.name())), 2)));
        }
        h.section("2. Persistent connections",
                connections + " long-lived loopback connections, both ends in one JVM (JDK 17), a client thread per connection"
                + " sending 64 bytes and reading the 64-byte answer in a loop; no connection is opened or closed while measuring."
                + " The JVM is pinned to one CPU (`taskset -c 1`), in a fresh network namespace, " + measure / 1000.0 + " s window after "
                + warmup / 1000.0 + " s of warm-up, bare and agent alternating, " + runs + " runs each.\n\n"
                + h.commandNote("persistent", "", example, true) + "\n"
                + Md.table(List.of("configuration", "runs", "round trips/s (median)", "spread (min – max)", "ratio to bare (medians)",
                        "ratio to bare (paired)", "ratio, quiet rounds only", "other processes (cores)"), rows)
                + "\nPaired ratios, run by run: " + joinRatios(paired) + ".\n" + failureNote(failures));
        double ratio = Stats.ratio(agent, bare);
        h.target("Persistent connections with the agent ≥ 0.98 of bare", "ratio " + Md.ratio(ratio) + " (paired "
                + Md.ratio(Stats.median(paired)) + "; quiet rounds only: " + (quietPaired.isEmpty() ? "none"
                : Md.ratio(Stats.median(quietPaired)) + " over " + quietPaired.size()) + ")", isKnown(ratio) ? ratio >= 0.98 : null);
    }
}
