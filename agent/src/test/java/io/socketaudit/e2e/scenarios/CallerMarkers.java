package io.socketaudit.e2e.scenarios;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exact line of every close/shutdown call in {@link CloseScenarios}, read from its source:
 * each such line ends with a marker comment {@code //@ <role>.<op>}. With it the tests expect {@code caller}
 * to be exactly {@code io.socketaudit.e2e.scenarios.CloseScenarios.<scenario>(CloseScenarios.java:<line>)}.
 */
final class CallerMarkers {

    private static final Pattern METHOD = Pattern.compile("^\\s*static void (\\w+)\\(.*");
    private static final Pattern MARKER = Pattern.compile("//@ (\\w+)\\.(\\w+)\\s*$");
    private static final String SOURCE = "src/test/java/io/socketaudit/e2e/scenarios/CloseScenarios.java";

    private final Map<String, Integer> lines = new HashMap<>();

    private CallerMarkers() {
    }

    static CallerMarkers load() {
        Path source = locate();
        List<String> text;
        try {
            text = Files.readAllLines(source, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CallerMarkers markers = new CallerMarkers();
        String method = null;
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i);
            Matcher m = METHOD.matcher(line);
            if (m.matches()) {
                method = m.group(1);
            }
            Matcher marker = MARKER.matcher(line);
            if (marker.find()) {
                if (method == null) {
                    throw new IllegalStateException("marker outside a scenario method at line " + (i + 1));
                }
                String key = method + "/" + marker.group(1) + "." + marker.group(2);
                if (markers.lines.put(key, i + 1) != null) {
                    throw new IllegalStateException("marker " + key + " appears twice in " + source);
                }
            }
        }
        return markers;
    }

    private static Path locate() {
        for (String base : new String[] {System.getProperty("basedir"), System.getProperty("user.dir")}) {
            if (base == null) {
                continue;
            }
            for (Path candidate : new Path[] {Paths.get(base, SOURCE), Paths.get(base, "agent", SOURCE)}) {
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("cannot find " + SOURCE + " from basedir/user.dir");
    }

    /** The expected caller of the event of {@code role} doing {@code op} in {@code scenario}. */
    String caller(String scenario, String role, String op) {
        Integer line = lines.get(scenario + "/" + role + "." + op);
        if (line == null) {
            throw new IllegalStateException("no //@ " + role + "." + op + " marker in CloseScenarios." + scenario);
        }
        return CloseScenarios.class.getName() + "." + scenario + "(CloseScenarios.java:" + line + ")";
    }
}
