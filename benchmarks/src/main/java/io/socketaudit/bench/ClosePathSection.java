package io.socketaudit.bench;

import java.util.ArrayList;
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
 * {@code Socket.close()} and {@code SocketChannel.close()} timed alone under JMH ({@link JmhRunner}), bare and with the
 * agent at several stack depths, and the close path's parts each alone ({@link ClosePartsBench}).
 */
final class ClosePathSection {

    private final Harness h;
    /** The command line of the first JMH run with the agent, for the close-path section's prose. */
    private List<String> closePathExample = List.of();

    ClosePathSection(Harness h) {
        this.h = h;
    }

    void run() throws Exception {
        List<Integer> depths = h.quick() ? List.of(32) : List.of(8, 32, 128);
        int forks = h.quick() ? 1 : 2;
        int warmups = h.quick() ? 1 : 3;
        int measurements = h.quick() ? 2 : 5;
        int iterationMillis = h.quick() ? 500 : 1000;
        Map<String, Map<String, String>> results = new LinkedHashMap<>();
        Map<Integer, String> actualDepth = new LinkedHashMap<>();
        Map<Integer, String> capturedDepth = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (int depth : depths) {
            h.awaitQuiet("close path, depth " + depth);
            for (boolean withAgent : new boolean[] {false, true}) {
                List<String> args = new ArrayList<>(List.of("close", String.valueOf(depth), String.valueOf(forks),
                        String.valueOf(warmups), String.valueOf(measurements), String.valueOf(iterationMillis)));
                if (withAgent) {
                    args.add(h.agentJar().toString());
                    args.add(h.workDir().resolve("jmh-logs-" + depth).toString());
                }
                jmh(args, withAgent ? "agent" : "bare", depth, results, actualDepth, failures);
                deleteTree(h.workDir().resolve("jmh-logs-" + depth));
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
        h.section("3. Close path in isolation (JMH)",
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
                + h.commandNote("closepath", "", closePathExample, true) + "\n"
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
        h.target("Added time per close ≤ 5 µs at stack depth 32 (JDK 17)", "`Socket.close()` +" + Md.num(added32, 2)
                + " µs, `SocketChannel.close()` +" + Md.num(addedChannel32, 2) + " µs (p50)",
                isKnown(added32) && isKnown(addedChannel32) ? added32 <= 5 && addedChannel32 <= 5 : null);
    }

    private void jmh(List<String> args, String kind, int depth, Map<String, Map<String, String>> results,
                     Map<Integer, String> depths, List<String> failures) throws Exception {
        // Another JMH run on the machine (JMH's lock file) must not stop this one; the quiet gate reports its load.
        List<String> cmd = h.java(h.jdk17(), true, List.of("-Xmx512m", "-Djmh.ignoreLock=true"), "io.socketaudit.bench.JmhRunner",
                args.toArray());
        if (kind.equals("agent") && closePathExample.isEmpty()) {
            closePathExample = cmd;
        }
        Launcher.Output o = h.launcher().run(new Launcher.Run(cmd).netns().timeout(900));
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
}
