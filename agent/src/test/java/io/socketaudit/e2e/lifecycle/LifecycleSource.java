package io.socketaudit.e2e.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exact source line of a marked call in one of the e2e programs: a line ending with the marker
 * comment {@code //@ <name>} inside a {@code static} method. {@link #caller} gives the
 * {@code caller} the agent must report for it: {@code io.socketaudit.e2e.lifecycle.Program.method(Program.java:line)}.
 */
final class LifecycleSource {

    private static final Pattern METHOD = Pattern.compile("^\\s*(?:(?:public|private|protected)\\s+)?static\\s+[\\w<>\\[\\]]+\\s+(\\w+)\\(.*");
    private static final String DIRECTORY = "src/test/java/io/socketaudit/e2e/lifecycle/";

    private LifecycleSource() {
    }

    /** The frame of the line marked {@code //@ marker} in {@code program}'s source; fails when not exactly one. */
    static String caller(Class<?> program, String marker) {
        String file = program.getSimpleName() + ".java";
        List<String> lines = read(file);
        String found = null;
        String method = null;
        Pattern markerPattern = Pattern.compile("//@ " + Pattern.quote(marker) + "\\s*$");
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = METHOD.matcher(lines.get(i));
            if (m.matches()) {
                method = m.group(1);
            }
            if (markerPattern.matcher(lines.get(i)).find()) {
                if (found != null || method == null) {
                    throw new IllegalStateException("marker //@ " + marker + " must appear once, inside a method, in " + file);
                }
                found = program.getName() + "." + method + "(" + file + ":" + (i + 1) + ")";
            }
        }
        if (found == null) {
            throw new IllegalStateException("no marker //@ " + marker + " in " + file);
        }
        return found;
    }

    private static List<String> read(String file) {
        for (String base : new String[] {System.getProperty("basedir"), System.getProperty("user.dir")}) {
            if (base == null) {
                continue;
            }
            for (Path candidate : new Path[] {Paths.get(base, DIRECTORY, file), Paths.get(base, "agent", DIRECTORY, file)}) {
                if (Files.isRegularFile(candidate)) {
                    try {
                        return Files.readAllLines(candidate, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        throw new IllegalStateException("cannot find " + DIRECTORY + file + " from basedir/user.dir");
    }
}
