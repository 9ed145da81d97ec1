package io.socketaudit.e2e.agent;

import static io.socketaudit.e2e.harness.LifecycleLog.signature;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.AttachCli;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.LifecycleJvm;
import io.socketaudit.e2e.harness.LifecycleLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code attach PID}, {@code attach PID stop} and {@code list} against a running JVM started
 * without the agent ({@link AttachTarget}), on every JDK from {@link EndToEndJdks}; the command
 * line runs on the same JDK as the target. Everything is synchronised on the target's stdout
 * answers and on the command's exit: the agent is installed when {@code attach} returns, and its log
 * is flushed and closed when {@code attach PID stop} returns.
 */
class AttachIT {

    private static final String DYNAMIC_AGENT_WARNING = "WARNING: A Java agent has been loaded dynamically";

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    /** The ports {@link AttachTarget} printed in its {@code pre} line. */
    private record Ports(int preSocket, int preChannel, int listener, int channelListener) {
        static Ports parse(String line) {
            String[] p = line.split(" ");
            return new Ports(Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]),
                    Integer.parseInt(p[4]));
        }
    }

    /**
     * Started without the agent and without {@code -XX:+EnableDynamicAgentLoading} (the usual case of a
     * service nobody prepared): list, attach, audit, a second attach that must not double-record, detach
     * (nothing more in the log, the application serves on), and attach again after the detach.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachAuditsThenDetachLeavesTheAppRunningUnaudited(EndToEndJdks.Jdk jdk) throws Exception {
        Path dir = LifecycleJvm.runDirectory("attach-jdk" + jdk.feature() + "-");
        Path log = dir.resolve("attached.jsonl");
        Path secondLog = dir.resolve("second-attach.jsonl");
        Path reattachedLog = dir.resolve("reattached.jsonl");
        try (LifecycleJvm target = LifecycleJvm.start(AgentJvm.on(jdk).withoutAgent().main(AttachTarget.class), dir)) {
            Ports ports = Ports.parse(target.awaitPrefix("pre "));
            target.awaitPrefix(AttachTarget.READY);
            String pid = Long.toString(target.pid());

            AttachCli.Result list = AttachCli.run(jdk, "list");
            assertEquals(0, list.exitCode(), list::describe);
            assertTrue(list.stdout().contains(pid + " " + AttachTarget.class.getName()),
                    () -> "list must show the target as '" + pid + " " + AttachTarget.class.getName() + "'\n"
                            + list.describe());

            AttachCli.Result attach = AttachCli.run(jdk, "attach", pid, "file=" + log);
            assertEquals(0, attach.exitCode(), attach::describe);
            int attaches = 1;

            List<String> expected = new ArrayList<>();
            expected.addAll(cycle(target, ports));

            // A second attach while the agent runs loads nothing: the command finds the agent and says where it writes.
            AttachCli.Result second = AttachCli.run(jdk, "attach", pid, "file=" + secondLog);
            expected.addAll(cycle(target, ports));

            target.call("closepre");
            expected.addAll(preCloses(ports));

            AttachCli.Result stop = AttachCli.run(jdk, "attach", pid, "stop");
            attaches++;
            assertEquals(0, stop.exitCode(), stop::describe);
            byte[] atDetach = Files.readAllBytes(log);

            // Detached: the application serves on, and nothing reaches the log.
            cycle(target, ports);
            cycle(target, ports);
            AttachCli.Result stopWithoutAgent = AttachCli.run(jdk, "attach", pid, "stop");

            AttachCli.Result reattach = AttachCli.run(jdk, "attach", pid, "file=" + reattachedLog);
            attaches++;
            assertEquals(0, reattach.exitCode(), reattach::describe);
            List<String> expectedAfterReattach = cycle(target, ports);
            AttachCli.Result stopAgain = AttachCli.run(jdk, "attach", pid, "stop");
            attaches++;
            assertEquals(0, stopAgain.exitCode(), stopAgain::describe);

            target.send("exit");
            int exit = target.awaitExit();
            assertEquals(0, exit, target::describe);
            List<String> stderr = target.stderr();
            int attachCount = attaches;

            List<JsonNode> lines = AgentJvm.parseLog(log);
            List<JsonNode> reattached = AgentJvm.parseLog(reattachedLog);
            List<Executable> checks = new ArrayList<>();
            checks.add(() -> assertEquals(List.of(), attach.stderr(), attach::describe));
            checks.add(() -> assertEquals(List.of("socket-audit: attached to " + pid + "; audit log: " + log),
                    attach.stdout(), () -> "attach must name the file the agent writes\n" + attach.describe()));
            checks.add(() -> assertEquals(List.of(), stop.stderr(), stop::describe));
            checks.add(() -> assertEquals(List.of("socket-audit: detached from " + pid + "; its log was flushed and closed: "
                    + log), stop.stdout(), stop::describe));
            checks.add(() -> assertEquals(0, second.exitCode(), second::describe));
            checks.add(expectError(stopWithoutAgent, 1, pid));
            checks.add(() -> assertEquals(List.of("socket-audit: already auditing " + pid + "; audit log: " + log
                    + " (to change options: attach " + pid + " stop, then attach again)"), second.stdout(),
                    second::describe));
            checks.add(() -> LifecycleLog.assertFramed(lines, "detach", "log of the first attach"));
            checks.add(() -> assertEquals(sorted(expected), sorted(signatures(lines)),
                    "the log of the first attach holds exactly one event per operation while attached"
                            + " (two cycles, the four pre-attach closes), although attach ran twice"));
            checks.add(() -> assertArrayEquals(atDetach, Files.readAllBytes(log),
                    "the log must not change after 'attach PID stop' returned"));
            checks.add(() -> assertFalse(Files.exists(secondLog),
                    "the ignored second attach must not create its log " + secondLog));
            checks.add(() -> assertEquals(List.of(), stderr.stream()
                            .filter(l -> l.startsWith("socket-audit")).collect(Collectors.toList()),
                    "no socket-audit line on the target's stderr"));
            checks.add(() -> assertEquals(List.of(), stderr.stream()
                            .filter(l -> l.contains("Exception") || l.contains("Error")).collect(Collectors.toList()),
                    "no exception on the target's stderr"));
            checks.add(() -> assertEquals(jdk.feature() >= 21 ? attachCount : 0,
                    stderr.stream().filter(l -> l.startsWith(DYNAMIC_AGENT_WARNING)).count(),
                    "JDK 21 and later warn once per dynamically loaded agent (each attach, stop included) when the"
                            + " target runs without -XX:+EnableDynamicAgentLoading; 17 does not:\n"
                            + String.join("\n", stderr)));
            checks.addAll(pairing(lines));
            checks.addAll(preAttachCloses(lines, ports));
            checks.add(() -> LifecycleLog.assertFramed(reattached, "detach", "log of the attach after the detach"));
            checks.add(() -> assertEquals(sorted(expectedAfterReattach), sorted(signatures(reattached)),
                    "attached again after a detach: exactly the events of the one cycle made meanwhile"));
            checks.addAll(pairing(reattached));
            assertAll("attach/detach on " + jdk + " (run directory " + dir + ")", checks);
        }
    }

    /** With {@code -XX:+EnableDynamicAgentLoading} (JDK 21 and later) the target prints no dynamic-agent warning. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void enableDynamicAgentLoadingSilencesTheAttachWarning(EndToEndJdks.Jdk jdk) throws Exception {
        assumeTrue(jdk.feature() >= 21, "-XX:+EnableDynamicAgentLoading exists from JDK 21 (17 does not warn)");
        Path dir = LifecycleJvm.runDirectory("attach-enabled-jdk" + jdk.feature() + "-");
        Path log = dir.resolve("attached.jsonl");
        AgentJvm spec = AgentJvm.on(jdk).withoutAgent().jvmOption("-XX:+EnableDynamicAgentLoading")
                .main(AttachTarget.class);
        try (LifecycleJvm target = LifecycleJvm.start(spec, dir)) {
            Ports ports = Ports.parse(target.awaitPrefix("pre "));
            target.awaitPrefix(AttachTarget.READY);
            String pid = Long.toString(target.pid());
            AttachCli.Result attach = AttachCli.run(jdk, "attach", pid, "file=" + log);
            assertEquals(0, attach.exitCode(), attach::describe);
            List<String> expected = cycle(target, ports);
            AttachCli.Result stop = AttachCli.run(jdk, "attach", pid, "stop");
            assertEquals(0, stop.exitCode(), stop::describe);
            target.send("exit");
            assertEquals(0, target.awaitExit(), target::describe);
            List<JsonNode> lines = AgentJvm.parseLog(log);
            List<String> stderr = target.stderr();
            System.out.println("[" + jdk + "] target stderr with -XX:+EnableDynamicAgentLoading:\n" + String.join("\n", stderr));
            assertAll(
                    () -> assertEquals(List.of(), stderr.stream().filter(l -> l.contains("loaded dynamically"))
                            .collect(Collectors.toList()), "no dynamic-agent warning with the flag"),
                    () -> LifecycleLog.assertFramed(lines, "detach", "log"),
                    () -> assertEquals(sorted(expected), sorted(signatures(lines)), "the cycle's events"));
        }
    }

    /** Wrong PIDs and wrong usage: one line on stderr starting {@code socket-audit attach:}, and the documented exit code. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aPidThatCannotBeAttachedToIsOneLineAndANonZeroExit(EndToEndJdks.Jdk jdk) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String gonePid = Long.toString(gone.pid());
        Process sleep = new ProcessBuilder("sleep", "600").start();
        try {
            String sleepPid = Long.toString(sleep.pid());
            List<Executable> checks = new ArrayList<>();
            checks.add(expectError(AttachCli.run(jdk, "attach", gonePid), 1, gonePid));
            checks.add(expectError(AttachCli.run(jdk, "attach", gonePid, "stop"), 1, gonePid));
            checks.add(expectError(AttachCli.run(jdk, "attach", sleepPid), 1, sleepPid));
            checks.add(expectError(AttachCli.run(jdk, "attach", sleepPid, "stop"), 1, sleepPid));
            checks.add(expectError(AttachCli.run(jdk, "attach", "not-a-pid"), 2, "not-a-pid"));
            checks.add(expectError(AttachCli.run(jdk, "attach", sleepPid, "no.such.option=1"), 2, "no.such.option"));
            checks.add(expectError(AttachCli.run(jdk, "attach"), 2, null));
            assertTrue(sleep.isAlive(), "the sleep process must not be harmed by an attempt to attach to it");
            assertAll("attach errors on " + jdk, checks);
        } finally {
            sleep.destroy();
            sleep.waitFor();
        }
    }

    /** A JVM of another user: one line naming its owner, exit 1, and the JVM is left alone. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJvmOfAnotherUserIsRefusedWithOneLine(EndToEndJdks.Jdk jdk) throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(setpriv),
                "needs root and setpriv to start a JVM as another user (nobody)");
        List<String> command = new ArrayList<>(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534",
                "--clear-groups"));
        command.addAll(AgentJvm.on(jdk).withoutAgent().main(AttachTarget.class).command());
        try (LifecycleJvm target = LifecycleJvm.start(command, Path.of("/tmp"))) {
            target.awaitPrefix(AttachTarget.READY);
            String pid = Long.toString(target.pid());
            AttachCli.Result attach = AttachCli.run(jdk, "attach", pid);
            AttachCli.Result stop = AttachCli.run(jdk, "attach", pid, "stop");
            target.call("cycle");
            target.send("exit");
            int exit = target.awaitExit();
            assertAll("attach to a JVM of user nobody on " + jdk,
                    expectError(attach, 1, "nobody"),
                    expectError(stop, 1, "nobody"),
                    () -> assertEquals(0, exit, target::describe),
                    () -> assertEquals(List.of(), target.stderr(), "the other user's JVM heard nothing of it"));
        }
    }

    private static Executable expectError(AttachCli.Result result, int exitCode, String mentioned) {
        return () -> {
            assertEquals(exitCode, result.exitCode(), result::describe);
            assertEquals(1, result.stderr().size(), () -> "exactly one line on stderr\n" + result.describe());
            assertTrue(result.stderr().get(0).startsWith("socket-audit attach: "), result::describe);
            if (mentioned != null) {
                assertTrue(result.stderr().get(0).contains(mentioned),
                        () -> "the line names '" + mentioned + "'\n" + result.describe());
            }
            assertEquals(List.of(), result.stdout(), () -> "nothing on stdout\n" + result.describe());
        };
    }

    /** Runs one {@code cycle}; returns the signatures of the eight events it must give while attached. */
    private static List<String> cycle(LifecycleJvm target, Ports ports) throws InterruptedException {
        String[] answer = target.call("cycle").split(" ");
        int socket = Integer.parseInt(answer[2]);
        int channel = Integer.parseInt(answer[3]);
        List<String> events = new ArrayList<>();
        events.addAll(pair("Socket", socket, ports.listener(), true));
        events.addAll(pair("SocketChannel", channel, ports.channelListener(), true));
        return events;
    }

    private static List<String> preCloses(Ports ports) {
        List<String> events = new ArrayList<>();
        events.addAll(pair("Socket", ports.preSocket(), ports.listener(), false));
        events.addAll(pair("SocketChannel", ports.preChannel(), ports.channelListener(), false));
        return events;
    }

    private static List<String> pair(String api, int client, int listener, boolean opens) {
        List<String> events = new ArrayList<>();
        if (opens) {
            events.add(signature("open", api, "connect", client, listener));
            events.add(signature("open", api, "accept", listener, client));
        }
        events.add(signature("close", api, "close", client, listener));
        events.add(signature("close", api, "close", listener, client));
        return events;
    }

    /** Every close of a connection opened while attached refers to its open: same conn, same openedAt, exact duration. */
    private static List<Executable> pairing(List<JsonNode> lines) {
        Map<Long, JsonNode> opens = new HashMap<>();
        List<Executable> checks = new ArrayList<>();
        for (JsonNode line : lines) {
            switch (LifecycleLog.event(line)) {
                case "open":
                    checks.add(() -> assertTrue(line.path("openedAt").isTextual(), "open without openedAt: " + line));
                    if (opens.put(line.path("conn").asLong(), line) != null) {
                        checks.add(() -> fail("two opens with one conn: " + line));
                    }
                    break;
                case "close":
                    JsonNode open = opens.get(line.path("conn").asLong());
                    if (open != null) {
                        checks.add(() -> {
                            assertEquals(open.path("openedAt"), line.path("openedAt"), "openedAt of " + line);
                            double expected = (LifecycleLog.micros(line.get("time"))
                                    - LifecycleLog.micros(open.get("openedAt"))) / 1000.0;
                            assertTrue(line.path("durationMs").isNumber()
                                            && Math.abs(line.path("durationMs").asDouble() - expected) <= 1.0,
                                    "durationMs must be close.time - openedAt (" + expected + " ms): " + line);
                        });
                    }
                    break;
                default:
                    break;
            }
        }
        return checks;
    }

    /** The pre-attach connections' closes: open unknown, and the kernel's byte counters for their whole life. */
    private static List<Executable> preAttachCloses(List<JsonNode> lines, Ports ports) {
        long total = AttachTarget.PRE_BYTES_BEFORE + AttachTarget.PRE_BYTES_AFTER;
        List<Executable> checks = new ArrayList<>();
        for (JsonNode line : LifecycleLog.events(lines, "close")) {
            int local = LifecycleLog.localPort(line);
            int remote = LifecycleLog.remotePort(line);
            boolean client = local == ports.preSocket() || local == ports.preChannel();
            boolean server = remote == ports.preSocket() || remote == ports.preChannel();
            if (!client && !server) {
                continue;
            }
            checks.add(() -> {
                assertTrue(line.path("openedAt").isNull(), "a pre-attach connection's openedAt must be null: " + line);
                assertTrue(line.path("durationMs").isNull(), "its durationMs must be null: " + line);
                assertEquals(client ? total : 0, line.path("bytesOut").asLong(-1), "bytesOut over its life: " + line);
                assertEquals(client ? 0 : total, line.path("bytesIn").asLong(-1), "bytesIn over its life: " + line);
                assertTrue(line.has("conn") && line.path("conn").isNumber(), "conn: " + line);
            });
        }
        int found = checks.size();
        checks.add(() -> assertEquals(4, found, "the four pre-attach closes"));
        return checks;
    }

    private static void fail(String message) {
        throw new AssertionError(message);
    }

    private static List<String> signatures(List<JsonNode> lines) {
        return LifecycleLog.connectionEvents(lines).stream().map(LifecycleLog::signature).collect(Collectors.toList());
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().collect(Collectors.toList());
    }
}
