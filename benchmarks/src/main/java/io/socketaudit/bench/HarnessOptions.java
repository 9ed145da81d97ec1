package io.socketaudit.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The harness's command line ({@code --name VALUE}, and the flags {@code --quick} and {@code --churn-depth1}). */
final class HarnessOptions {

    static final List<String> SECTIONS = List.of("churn", "persistent", "closepath", "writer", "startup", "memory", "paced",
            "profile", "server");

    private final Map<String, String> values;

    private HarnessOptions(Map<String, String> values) {
        this.values = values;
    }

    /** The options {@code args} give; prints the usage and exits with status 2 on anything else. */
    static HarnessOptions parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick") || a.equals("--churn-depth1")) {
                options.put(a.substring(2), "true");
            } else if (a.startsWith("--") && i + 1 < args.length) {
                options.put(a.substring(2), args[++i]);
            } else {
                System.err.println("usage: [--quick] [--churn-depth1] [--quiet-wait SECONDS] [--only " + String.join(",", SECTIONS) + "] [--out FILE] "
                        + "[--agent JAR] [--leak-detector JAR] [--async-profiler PATH] [--jdk17 HOME] [--jdk25 HOME] [--command TEXT]");
                System.exit(2);
            }
        }
        return new HarnessOptions(options);
    }

    /** An option's value, or null when it was not given. */
    String option(String name) {
        return values.get(name);
    }

    boolean quick() {
        return values.containsKey("quick");
    }

    /** Seconds to wait, in all, for a quiet machine before rounds ({@link QuietMachine}). */
    double quietWaitSeconds() {
        return Double.parseDouble(values.getOrDefault("quiet-wait", quick() ? "0" : "300"));
    }

    /** The sections to run ({@code --only}), each checked to be one. */
    Set<String> only() {
        Set<String> only = new LinkedHashSet<>(Arrays.asList(values.getOrDefault("only", String.join(",", SECTIONS)).split(",")));
        for (String name : only) {
            if (!SECTIONS.contains(name)) {
                throw new IllegalArgumentException("no section " + name + " (sections: " + String.join(",", SECTIONS) + ")");
            }
        }
        return only;
    }

    Path out() {
        return Path.of(values.getOrDefault("out", "BENCHMARKS.md")).toAbsolutePath();
    }

    Path agent() {
        return Path.of(values.getOrDefault("agent", "agent/target/socket-audit-agent.jar")).toAbsolutePath();
    }

    Path jdk17() {
        return Path.of(values.getOrDefault("jdk17", System.getProperty("java.home")));
    }

    Path jdk25() {
        return Path.of(values.getOrDefault("jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    }

    /** The command this run is shown as in the results; by default the one that runs {@code benchJar}. */
    String command(Path benchJar) {
        return values.getOrDefault("command", "java -jar " + benchJar + (quick() ? " --quick" : ""));
    }
}
