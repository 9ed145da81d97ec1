package io.socketaudit.e2e.scenarios;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.LifecycleJvm;
import io.socketaudit.e2e.harness.LoopbackCapture;
import io.socketaudit.e2e.harness.LoopbackCapture.Packet;
import io.socketaudit.e2e.harness.WireFacts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.function.Executable;

/**
 * One run of {@link CloseScenarios} in a child JVM on one JDK, under a loopback capture: the
 * child's result, what it printed, and every packet it put on the wire.
 */
final class ScenarioRun {

    final EndToEndJdks.Jdk jdk;
    final AgentJvm.Result result;
    final ScenarioOutput output;
    final List<Packet> packets;
    final boolean withAgent;
    /** Packets tcpdump reported as dropped by the kernel; the wire checks need 0. */
    long captureDrops;
    String captureDiagnostics;

    private ScenarioRun(EndToEndJdks.Jdk jdk, AgentJvm.Result result, List<Packet> packets, boolean withAgent) {
        this.jdk = jdk;
        this.result = result;
        this.output = ScenarioOutput.parse(result.stdout());
        this.packets = packets;
        this.withAgent = withAgent;
    }

    static ScenarioRun execute(EndToEndJdks.Jdk jdk, boolean withAgent) throws Exception {
        Path dir = runDirectory(jdk, withAgent);
        AgentJvm child = AgentJvm.on(jdk).workDir(dir).main(CloseScenarios.class);
        if (withAgent) {
            child.logTo(dir.resolve("audit.jsonl"));
        } else {
            child.withoutAgent();
        }
        LoopbackCapture.Run captured = LoopbackCapture.around(child);
        ScenarioRun run = new ScenarioRun(jdk, captured.result(), captured.packets(), withAgent);
        run.captureDrops = captured.droppedByKernel();
        run.captureDiagnostics = captured.diagnostics();
        return run;
    }

    /** Under target/ when run by Maven (kept for inspection, removed by mvn clean), else a temp dir. */
    private static Path runDirectory(EndToEndJdks.Jdk jdk, boolean withAgent) throws java.io.IOException {
        return LifecycleJvm.runDirectory(
                "close-scenarios-jdk" + jdk.feature() + (withAgent ? "-agent-" : "-no-agent-"));
    }

    WireFacts wire(ScenarioOutput.End end) {
        return new WireFacts(packets, end.localPort(), end.remotePort());
    }

    /** The scenarios that must have run on this JDK. */
    List<ScenarioTable.Scenario> scenarios() {
        List<ScenarioTable.Scenario> result = new ArrayList<>();
        for (ScenarioTable.Scenario s : ScenarioTable.all()) {
            if (s.runsOn(jdk.feature())) {
                result.add(s);
            }
        }
        return result;
    }

    /** The child exited 0 after running every scenario (skipping only those its JDK lacks). */
    void assertEveryScenarioRan() {
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(0, result.exitCode(), () -> "CloseScenarios failed\n" + result.describe()));
        checks.add(() -> assertTrue(output.finishedWithoutFailures,
                () -> "no 'scenarios finished failures=0' line\n" + result.describe()));
        checks.add(() -> assertEquals(jdk.feature(), output.feature, "the child ran on another JDK"));
        checks.add(() -> {
            List<Integer> listenerPorts = new ArrayList<>();
            output.ends.stream().filter(ScenarioOutput.End::isListener).forEach(e -> listenerPorts.add(e.localPort()));
            assertEquals(listenerPorts.size(), new java.util.HashSet<>(listenerPorts).size(),
                    "listener ports must be unique in a run (events are matched to ends by port): " + listenerPorts);
        });
        for (ScenarioTable.Scenario s : ScenarioTable.all()) {
            if (s.runsOn(jdk.feature())) {
                checks.add(() -> assertTrue(output.done.contains(s.name),
                        () -> "scenario " + s.name + " did not complete: " + output.failed.get(s.name)));
                for (ScenarioTable.End end : s.ends) {
                    checks.add(() -> assertTrue(output.end(s.name, end.role) != null,
                            () -> "scenario " + s.name + " printed no ports for its " + end.role));
                }
            } else {
                checks.add(() -> assertTrue(output.skipped.containsKey(s.name),
                        () -> "scenario " + s.name + " should be skipped on JDK " + jdk.feature()));
            }
        }
        assertAll("CloseScenarios on " + jdk, checks);
    }

    /** Every non-listener end sent on the wire what the scenario table says, agent or not. */
    void assertWireFacts() {
        assertCaptureComplete();
        List<Executable> checks = new ArrayList<>();
        for (ScenarioTable.Scenario s : scenarios()) {
            for (ScenarioTable.End expected : s.ends) {
                if (expected.isListener()) {
                    continue;
                }
                ScenarioOutput.End end = output.end(s.name, expected.role);
                checks.add(() -> {
                    assertTrue(end != null, () -> s.name + " printed no ports for " + expected.role);
                    WireFacts wire = wire(end);
                    String problem = wire.check(expected.wire);
                    assertTrue(problem == null, () -> "wire, " + end + (withAgent ? " (agent attached)" : " (no agent)")
                            + ": " + problem + "\n" + wire.describe());
                });
            }
        }
        assertAll("wire facts on " + jdk, checks);
    }

    /** The wire checks are only meaningful when tcpdump saw every packet. */
    void assertCaptureComplete() {
        assertEquals(0, captureDrops, "tcpdump reported packets dropped by the kernel (a very busy loopback?), "
                + "or no statistics (-1); the capture may be incomplete, so the wire cannot be judged. "
                + captureDiagnostics);
    }

    /** Runs, per JDK and mode, at most once per test JVM; a failed run fails every test using it. */
    static final class Cache {
        private final Map<String, Object> runs = new ConcurrentHashMap<>();

        ScenarioRun get(EndToEndJdks.Jdk jdk, boolean withAgent) throws Exception {
            Object cached = runs.computeIfAbsent(jdk.home() + "|" + withAgent, key -> {
                try {
                    return execute(jdk, withAgent);
                } catch (Exception | AssertionError e) {
                    return e;
                }
            });
            if (cached instanceof Exception) {
                throw (Exception) cached;
            }
            if (cached instanceof AssertionError) {
                throw (AssertionError) cached;
            }
            return (ScenarioRun) cached;
        }
    }
}
