package io.socketaudit.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.socketaudit.bench.Harness.deleteTree;
import static io.socketaudit.bench.Harness.failureNote;
import static io.socketaudit.bench.Harness.isKnown;
import static io.socketaudit.bench.Harness.log;
import static io.socketaudit.bench.Harness.num;
import static io.socketaudit.bench.Harness.tail;

/**
 * Heap per open connection ({@link OpenMany}), bare and with the agent, and where the agent's bytes are from class
 * histograms.
 */
final class MemorySection {

    private MemorySection() {
    }

    static void run(Harness h) throws Exception {
        int runs = h.quick() ? 1 : 3;
        int pairs = 5000;
        int connections = 2 * pairs;
        Path dir = h.workDir().resolve("memory");
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
                    args.add("-javaagent:" + h.agentJar() + "=file=" + dir.resolve("audit.jsonl"));
                }
                List<String> cmd = h.java(h.jdk17(), false, args, "io.socketaudit.bench.OpenMany", pairs, "histogram");
                if (withAgent) {
                    example = cmd;
                }
                Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).netns().openFiles(connections + 1000).timeout(180));
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
        h.section("6. Heap per open connection",
                Md.num(pairs, 0) + " loopback connections with both ends in one JVM: " + Md.num(connections, 0) + " open"
                + " sockets (JDK 17, `-XX:+UseSerialGC -Xms1g -Xmx1g`). Heap in use"
                + " after full collections (`System.gc()`, lowest of four) before and after opening them, after a warm-up"
                + " of 200 connections opened and closed; the growth divided by the number of sockets, bare and with the"
                + " agent, " + runs + " run(s) each.\n\n"
                + h.commandNote("memory", "", example, true) + "\n"
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
        h.target("≤ 200 bytes of agent heap per open connection", Md.num(added, 1) + " bytes per open socket",
                isKnown(added) ? added <= 200 : null);
    }
}
