package io.socketaudit.e2e.libraries;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketaudit.e2e.harness.AgentJvm;
import io.socketaudit.e2e.harness.AttachCli;
import io.socketaudit.e2e.harness.EndToEndJdks;
import io.socketaudit.e2e.harness.LifecycleJvm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code attach} to a running Netty epoll service ({@link NettyAttachTarget}), whose native socket classes were
 * loaded long before: the agent advises them by retransformation, so a connection made after the attach gets
 * its open and close lines on both ends, as with {@code -javaagent}.
 */
class NettyAttachIT {

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void nettyClassesLoadedBeforeTheAttachAreAudited(EndToEndJdks.Jdk jdk) throws Exception {
        Path dir = LifecycleJvm.runDirectory("netty-attach-jdk" + jdk.feature() + "-");
        Path log = dir.resolve("attached.jsonl");
        String[] ports;
        try (LifecycleJvm target = LifecycleJvm.start(AgentJvm.on(jdk).withoutAgent()
                .classPath(NettyEpollIT.nettyJars()).main(NettyAttachTarget.class), dir)) {
            target.awaitPrefix(NettyAttachTarget.READY);
            AttachCli.Result attach = AttachCli.run(jdk, "attach", Long.toString(target.pid()), "file=" + log);
            assertEquals(0, attach.exitCode(), attach::describe);
            ports = target.call("cycle").split(" ");
            target.send("exit");
            assertEquals(0, target.awaitExit(), target::describe);
        }
        List<JsonNode> lines = AgentJvm.parseLog(log);
        String client = "127.0.0.1:" + ports[2];
        String server = "127.0.0.1:" + ports[3];
        assertAll(
                () -> assertEquals(Stream.of("close close " + client, "close close " + server,
                                "open accept " + server, "open connect " + client).sorted().toList(),
                        lines.stream().filter(l -> l.path("api").asText().equals("NettySocket")
                                        && (l.path("local").asText().equals(client)
                                        || l.path("local").asText().equals(server)))
                                .map(l -> l.path("event").asText() + " " + l.path("op").asText() + " "
                                        + l.path("local").asText())
                                .sorted().toList(),
                        "the connection made after the attach, both ends: " + lines),
                () -> assertEquals(0, lines.stream().filter(l -> l.path("event").asText().matches("open|close")
                                && l.path("api").asText().startsWith("Netty")
                                && !l.path("transport").asText().equals("epoll")).count(),
                        "every line of that connection says transport epoll: " + lines),
                () -> assertEquals(0, lines.get(lines.size() - 1).path("agentErrors").asLong(-1),
                        "no agent errors: " + lines.get(lines.size() - 1)));
    }
}
