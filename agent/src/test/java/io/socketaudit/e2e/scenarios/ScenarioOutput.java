package io.socketaudit.e2e.scenarios;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@link CloseScenarios} printed on stdout: the ports of every end, facts, outcomes. */
final class ScenarioOutput {

    private static final Pattern END = Pattern.compile(
            "^scenario (\\w+) role=(\\w+) localPort=(\\d+) remotePort=(\\d+|-)$");
    private static final Pattern UNIX = Pattern.compile("^scenario (\\w+) role=unix path=(.+)$");
    private static final Pattern FACT = Pattern.compile("^scenario (\\w+) fact (\\w+)=(\\S+)$");
    private static final Pattern DONE = Pattern.compile("^scenario (\\w+) done$");
    private static final Pattern SKIPPED = Pattern.compile("^scenario (\\w+) skipped (.*)$");
    private static final Pattern FAILED = Pattern.compile("^scenario (\\w+) FAILED (.*)$");
    private static final Pattern JDK = Pattern.compile("^jdk runtime=(\\S+) feature=(\\d+)$");

    /** One TCP end (or a UDP socket) of a scenario; remotePort is -1 for listeners and UDP. */
    record End(String scenario, String role, int localPort, int remotePort) {

        boolean isListener() {
            return role.equals("listener");
        }

        @Override
        public String toString() {
            return scenario + "/" + role + " (local port " + localPort
                    + (remotePort < 0 ? "" : ", remote port " + remotePort) + ")";
        }
    }

    final List<End> ends = new ArrayList<>();
    final List<String> unixPaths = new ArrayList<>();
    final Map<String, Map<String, String>> facts = new LinkedHashMap<>();
    final Set<String> done = new LinkedHashSet<>();
    final Map<String, String> skipped = new LinkedHashMap<>();
    final Map<String, String> failed = new LinkedHashMap<>();
    String runtimeVersion;
    int feature;
    boolean finishedWithoutFailures;

    static ScenarioOutput parse(List<String> stdout) {
        ScenarioOutput out = new ScenarioOutput();
        for (String line : stdout) {
            Matcher m;
            if ((m = END.matcher(line)).matches()) {
                out.ends.add(new End(m.group(1), m.group(2), Integer.parseInt(m.group(3)),
                        m.group(4).equals("-") ? -1 : Integer.parseInt(m.group(4))));
            } else if ((m = UNIX.matcher(line)).matches()) {
                out.unixPaths.add(m.group(2));
            } else if ((m = FACT.matcher(line)).matches()) {
                out.facts.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2), m.group(3));
            } else if ((m = DONE.matcher(line)).matches()) {
                out.done.add(m.group(1));
            } else if ((m = SKIPPED.matcher(line)).matches()) {
                out.skipped.put(m.group(1), m.group(2));
            } else if ((m = FAILED.matcher(line)).matches()) {
                out.failed.put(m.group(1), m.group(2));
            } else if ((m = JDK.matcher(line)).matches()) {
                out.runtimeVersion = m.group(1);
                out.feature = Integer.parseInt(m.group(2));
            } else if (line.equals("scenarios finished failures=0")) {
                out.finishedWithoutFailures = true;
            }
        }
        return out;
    }

    List<End> endsOf(String scenario) {
        List<End> result = new ArrayList<>();
        for (End end : ends) {
            if (end.scenario().equals(scenario)) {
                result.add(end);
            }
        }
        return result;
    }

    End end(String scenario, String role) {
        for (End end : ends) {
            if (end.scenario().equals(scenario) && end.role().equals(role)) {
                return end;
            }
        }
        return null;
    }

    String fact(String scenario, String key) {
        return facts.getOrDefault(scenario, Map.of()).get(key);
    }
}
