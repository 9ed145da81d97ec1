package io.socketaudit.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs the close-path JMH benchmarks for the harness and prints one {@code RESULT} line per benchmark and
 * parameter: median (p50), mean and JMH's 99.9 % error, in microseconds per operation. The forks are this JVM's
 * {@code java} with this JVM's class path; with an agent jar given, every fork runs with it attached at the
 * given stack depth and its logs are counted afterwards, to show that the agent really recorded the closes.
 *
 * <p>Arguments: {@code close|parts|parts-depth depth forks warmupIterations measurementIterations iterationMillis
 * [agentJar logDirectory]}.
 */
public final class JmhRunner {

    private JmhRunner() {
    }

    public static void main(String[] args) throws Exception {
        String which = args[0];
        int depth = Integer.parseInt(args[1]);
        int forks = Integer.parseInt(args[2]);
        int warmups = Integer.parseInt(args[3]);
        int measurements = Integer.parseInt(args[4]);
        long iterationMillis = Long.parseLong(args[5]);
        String agentJar = args.length > 7 ? args[6] : null;
        Path logs = args.length > 7 ? Path.of(args[7]) : null;

        String include = switch (which) {
            case "close" -> CloseBench.class.getName() + "\\.(socketClose|channelClose)$";
            case "parts" -> ClosePartsBench.class.getName() + "\\.";
            case "parts-depth" -> ClosePartsBench.class.getName() + "\\.(stackCapture|recorderClose)$";
            default -> throw new IllegalArgumentException("close, parts or parts-depth, not " + which);
        };
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms512m", "-Xmx512m",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"));
        if (agentJar != null) {
            Files.createDirectories(logs);
            jvmArgs.add("-javaagent:" + agentJar + "=file=" + logs.resolve("close-{pid}.jsonl") + ",stack.depth=" + depth);
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .param("depth", String.valueOf(depth))
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.milliseconds(iterationMillis))
                .measurementIterations(measurements)
                .measurementTime(TimeValue.milliseconds(iterationMillis))
                .jvmArgsAppend(jvmArgs.toArray(new String[0]))
                // A benchmark the agent under test cannot run (a class it no longer or not yet has) is left out,
                // and the harness shows n/a for it; the others still run.
                .shouldFailOnError(false);
        Collection<RunResult> results = new Runner(options.build()).run();

        long agentCloses = agentJar == null ? -1 : countCloses(logs);
        for (RunResult run : results) {
            BenchmarkParams params = run.getParams();
            Result<?> primary = run.getPrimaryResult();
            Statistics s = primary.getStatistics();
            double scale = toMicros(primary.getScoreUnit());
            String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            Results.print("bench", name, "depth", depth, "mode", params.getMode().shortLabel(),
                    "p50us", s.getPercentile(50) * scale, "meanUs", s.getMean() * scale,
                    "errorUs", primary.getScoreError() * scale, "samples", s.getN(),
                    "agent", agentJar != null, "agentCloseEvents", agentCloses);
        }
    }

    private static double toMicros(String unit) {
        if (unit.startsWith("ns/")) {
            return 1e-3;
        }
        if (unit.startsWith("us/")) {
            return 1;
        }
        if (unit.startsWith("ms/")) {
            return 1e3;
        }
        throw new IllegalArgumentException("unexpected unit " + unit);
    }

    private static long countCloses(Path logs) throws IOException {
        long closes = 0;
        try (Stream<Path> files = Files.list(logs)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try (Stream<String> lines = Files.lines(p)) {
                    closes += lines.filter(l -> l.startsWith("{\"event\":\"close\"")).count();
                }
            }
        }
        return closes;
    }
}
