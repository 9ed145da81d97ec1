package io.socketaudit.e2e.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.AttachCli;
import io.socketaudit.e2e.harness.E2eApp;
import io.socketaudit.e2e.harness.EndToEndJdks;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The woven class cache across JVMs: the first run writes it, the next audits the same closes without loading
 * Byte Buddy at all, and a cache directory another user could enter is not used, said in the log, and changes
 * nothing else.
 */
class WovenClassCacheIT {

    private static final String BYTE_BUDDY = "io.socketaudit.shaded.bytebuddy.";

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theNextRunAuditsTheSameClosesWithoutByteBuddy(EndToEndJdks.Jdk jdk, @TempDir Path work) throws Exception {
        Path cache = ownerOnlyDirectory(work.resolve("cache"));
        AgentJvm.Result first = writeCache(jdk, work, cache);

        Path secondLog = work.resolve("second.jsonl");
        Path classLoading = work.resolve("classes.txt");
        AgentJvm.Result second = AgentJvm.on(jdk).agentOptions("file=" + secondLog + ",cache=" + cache, secondLog)
                .jvmOption("-Xlog:class+load=info:file=" + classLoading).main(E2eApp.class, "roundTrip").run();
        List<String> byteBuddy = Files.readAllLines(classLoading).stream().filter(l -> l.contains(BYTE_BUDDY)).toList();
        assertAll(
                () -> assertEquals(List.of(E2eApp.DONE), second.stdout(), second::describe),
                () -> assertEquals("used: 8 classes", agentStart(second).path("wovenClassCache").asText()),
                () -> assertEquals(List.of(), byteBuddy, "Byte Buddy classes loaded"),
                () -> assertEquals(closes(first), closes(second), "the closes, as the first run saw them"),
                () -> assertEquals(List.of(), second.log().stream()
                        .filter(l -> l.path("event").asText().equals("agent_error")).toList(), "agent errors"));

        assertEquals(closes(first), closes(weavingAtStart(jdk, work)), "cache=off");
    }

    /** {@code prepare}, run with the application's JDK ahead of its start: not even the first start loads Byte Buddy. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aPreparedCacheServesTheFirstStart(EndToEndJdks.Jdk jdk, @TempDir Path work) throws Exception {
        Path cache = work.resolve("home/.cache/socket-audit");
        AttachCli.Result prepared = AttachCli.run(jdk, "prepare", "--cache", cache.toString());
        assertAll(
                () -> assertEquals(0, prepared.exitCode(), prepared::describe),
                () -> assertEquals(1, prepared.stdout().size(), prepared::describe),
                () -> assertTrue(prepared.stdout().get(0).startsWith("wrote 8 of 8 JDK classes for " + jdk.home()),
                        prepared::describe));

        Path log = work.resolve("first.jsonl");
        Path classLoading = work.resolve("classes.txt");
        AgentJvm.Result first = AgentJvm.on(jdk).agentOptions("file=" + log + ",cache=" + cache, log)
                .jvmOption("-Xlog:class+load=info:file=" + classLoading).main(E2eApp.class, "roundTrip").run();
        assertAll(
                () -> assertEquals(List.of(E2eApp.DONE), first.stdout(), first::describe),
                () -> assertEquals("used: 8 classes", agentStart(first).path("wovenClassCache").asText()),
                () -> assertEquals(List.of(), Files.readAllLines(classLoading).stream()
                        .filter(l -> l.contains(BYTE_BUDDY)).toList(), "Byte Buddy classes loaded"),
                () -> assertEquals(closes(weavingAtStart(jdk, work)), closes(first), "the closes, as Byte Buddy's weave logs them"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aCacheDirectoryOthersCanEnterIsNotUsedAndSaidSo(EndToEndJdks.Jdk jdk, @TempDir Path work) throws Exception {
        Path cache = ownerOnlyDirectory(work.resolve("cache"));
        AgentJvm.Result first = writeCache(jdk, work, cache);
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));

        Path log = work.resolve("opened.jsonl");
        AgentJvm.Result opened = AgentJvm.on(jdk).agentOptions("file=" + log + ",cache=" + cache, log)
                .main(E2eApp.class, "roundTrip").run();
        String status = agentStart(opened).path("wovenClassCache").asText();
        assertAll(
                () -> assertEquals(0, opened.exitCode(), opened::describe),
                () -> assertEquals(List.of(E2eApp.DONE), opened.stdout(), opened::describe),
                () -> assertEquals(List.of(), opened.stderr().stream().filter(l -> l.startsWith("socket-audit:")).toList(),
                        "the application runs audited: no socket-audit: line on stderr"),
                () -> assertTrue(status.startsWith("not used: ") && status.contains("open to other users"), status),
                () -> assertTrue(opened.log().stream().anyMatch(l -> l.path("event").asText().equals("agent_error")
                        && l.path("where").asText().equals("reading the woven class cache")), "an agent_error"),
                () -> assertEquals(closes(first), closes(opened), "the closes, woven anew"));
    }

    /** A run with {@code cache=off}: it weaves with Byte Buddy, whatever any cache holds. */
    private static AgentJvm.Result weavingAtStart(EndToEndJdks.Jdk jdk, Path work) throws Exception {
        Path log = work.resolve("off.jsonl");
        Path classLoading = work.resolve("off-classes.txt");
        AgentJvm.Result off = AgentJvm.on(jdk).agentOptions("file=" + log + ",cache=off", log)
                .jvmOption("-Xlog:class+load=info:file=" + classLoading).main(E2eApp.class, "roundTrip").run();
        assertEquals("off", agentStart(off).path("wovenClassCache").asText(), off::describe);
        assertTrue(Files.readString(classLoading).contains(BYTE_BUDDY), "Byte Buddy weaves");
        return off;
    }

    /** A first run, with nothing in {@code cache}: it audits a round trip and writes the cache before it exits. */
    private static AgentJvm.Result writeCache(EndToEndJdks.Jdk jdk, Path work, Path cache) throws Exception {
        Path log = work.resolve("first.jsonl");
        AgentJvm.Result first = AgentJvm.on(jdk).agentOptions("file=" + log + ",cache=" + cache, log)
                .main(WovenCacheProgram.class, cache.toString()).run();
        assertEquals(List.of(E2eApp.DONE, WovenCacheProgram.WRITTEN), first.stdout(), first::describe);
        assertEquals("empty", agentStart(first).path("wovenClassCache").asText(), first::describe);
        return first;
    }

    private static Path ownerOnlyDirectory(Path dir) throws IOException {
        return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static JsonNode agentStart(AgentJvm.Result run) {
        JsonNode start = run.log().get(0);
        assertEquals("agent_start", start.path("event").asText(), run::describe);
        return start;
    }

    /** What each close says about the connection, in order: what must not depend on where the advice came from. */
    private static List<String> closes(AgentJvm.Result run) {
        return run.log().stream().filter(l -> l.path("event").asText().equals("close"))
                .map(l -> String.join(" ", l.path("api").asText(), l.path("op").asText(), l.path("how").asText(),
                        l.path("initiator").asText(), l.path("pendingIn").asText(), l.path("pendingOut").asText(),
                        l.path("caller").asText()))
                .toList();
    }
}
