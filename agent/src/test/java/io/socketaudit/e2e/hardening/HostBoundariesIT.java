package io.socketaudit.e2e.hardening;

import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.E2eApp;
import io.socketaudit.e2e.harness.EndToEndJdks;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent puts its bridge into the bootstrap loader without changing what the application's JVM does otherwise:
 * class data sharing stays on for the classes outside the bootstrap loader, and the application's class path
 * reaches no more of the JDK's internals than without the agent.
 */
class HostBoundariesIT {

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    /** Appending to the bootstrap class path would turn sharing off for them; the JVM says so at warning level. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void classDataSharingStaysOnForTheApplicationsClasses(EndToEndJdks.Jdk jdk, @TempDir Path dir) throws Exception {
        AgentJvm.Result result = AgentJvm.on(jdk).logTo(dir.resolve("audit.jsonl")).workDir(dir)
                .jvmOption("-Xlog:cds=warning").main(E2eApp.class, "roundTrip").run();
        assertAll(
                () -> assertEquals(0, result.exitCode(), result::describe),
                () -> assertTrue(result.stdout().contains(E2eApp.DONE), result::describe),
                () -> assertEquals(List.of(), cdsWarnings(result.stdout()), result::describe),
                () -> assertEquals(List.of(), cdsWarnings(result.stderr()), result::describe));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theApplicationReachesNoMoreOfTheJdksInternalsThanWithout(EndToEndJdks.Jdk jdk, @TempDir Path dir)
            throws Exception {
        AgentJvm.Result without = AgentJvm.on(jdk).withoutAgent().workDir(dir)
                .main(HostBoundariesProgram.class).run();
        AgentJvm.Result with = AgentJvm.on(jdk).logTo(dir.resolve("audit.jsonl")).workDir(dir)
                .main(HostBoundariesProgram.class).run();
        List<String> expected = List.of("exported=false", "opened=false", "unsafe=refused");
        assertAll(
                () -> assertEquals(expected, without.stdout(), without::describe),
                () -> assertEquals(expected, with.stdout(), with::describe));
    }

    private static List<String> cdsWarnings(List<String> lines) {
        return lines.stream().filter(l -> l.contains("Sharing is only supported")
                || l.contains("bootstrap classpath has been appended")).toList();
    }
}
