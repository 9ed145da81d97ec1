package io.socketaudit.e2e.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.io.Reader;

/**
 * The JDKs the end-to-end tests run the agent on.
 *
 * <p>Always the JDK running the tests ({@code java.home}), plus the homes listed (path-separator
 * separated) in the environment variable {@code SOCKETAUDIT_TEST_JDKS}, else in the system
 * property {@code socketaudit.test.jdks} (which the pom fills from that variable; an unset
 * variable reaches us as the literal {@code ${env.SOCKETAUDIT_TEST_JDKS}} and counts as empty),
 * else, when neither gives a list, {@value #DEFAULT_EXTRA_JDK} if it is installed. A listed home
 * that has no {@code bin/java} fails the tests instead of being skipped quietly.
 */
public final class EndToEndJdks {

    static final String ENV = "SOCKETAUDIT_TEST_JDKS";
    static final String PROPERTY = "socketaudit.test.jdks";
    static final String DEFAULT_EXTRA_JDK = "/usr/lib/jvm/temurin-25-jdk-amd64";

    private EndToEndJdks() {
    }

    /** One installed JDK. */
    public record Jdk(Path home, String version, int feature) {

        public Path java() {
            return home.resolve("bin").resolve("java");
        }

        @Override
        public String toString() {
            return "JDK " + version + " (" + home + ")";
        }
    }

    /** Parameter source for {@code @MethodSource}. */
    public static List<Jdk> all() {
        Map<Path, Jdk> jdks = new LinkedHashMap<>();
        add(jdks, Paths.get(System.getProperty("java.home")));
        for (String home : extraHomes()) {
            add(jdks, Paths.get(home));
        }
        return List.copyOf(jdks.values());
    }

    private static List<String> extraHomes() {
        String list = System.getenv(ENV);
        if (isUnset(list)) {
            list = System.getProperty(PROPERTY);
        }
        List<String> homes = new ArrayList<>();
        if (isUnset(list)) {
            if (Files.isExecutable(Paths.get(DEFAULT_EXTRA_JDK, "bin", "java"))) {
                homes.add(DEFAULT_EXTRA_JDK);
            }
            return homes;
        }
        for (String home : list.split(File.pathSeparator)) {
            if (!home.isBlank()) {
                homes.add(home.trim());
            }
        }
        return homes;
    }

    private static boolean isUnset(String value) {
        return value == null || value.isBlank() || value.startsWith("${");
    }

    private static void add(Map<Path, Jdk> jdks, Path home) {
        Path real;
        try {
            real = home.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("JDK home " + home + " (from " + ENV + " / " + PROPERTY
                    + ") does not exist", e);
        }
        if (!Files.isExecutable(real.resolve("bin").resolve("java"))) {
            throw new IllegalStateException("JDK home " + home + " has no executable bin/java");
        }
        jdks.computeIfAbsent(real, EndToEndJdks::describe);
    }

    private static Jdk describe(Path home) {
        Properties release = new Properties();
        try (Reader in = Files.newBufferedReader(home.resolve("release"), StandardCharsets.UTF_8)) {
            release.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + home.resolve("release"), e);
        }
        String version = unquote(release.getProperty("JAVA_VERSION", ""));
        if (version.isEmpty()) {
            throw new IllegalStateException(home.resolve("release") + " has no JAVA_VERSION");
        }
        String featurePart = version.startsWith("1.") ? version.substring(2) : version;
        int feature = Integer.parseInt(featurePart.split("[.+\\-]")[0]);
        return new Jdk(home, version, feature);
    }

    private static String unquote(String value) {
        String v = value.trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        return v;
    }
}
