package io.socketaudit.e2e.agent;

import io.socketaudit.e2e.harness.AgentJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The agent jar hides its dependencies and carries what the JVM and the command line need. */
class AgentJarIT {

    @Test
    void everyClassIsUnderTheAgentsOwnPackage() throws IOException {
        List<String> foreign = new ArrayList<>();
        try (JarFile jar = new JarFile(AgentJvm.agentJar().toFile())) {
            for (JarEntry entry : jar.stream().toList()) {
                String name = entry.getName().replaceFirst("^META-INF/versions/\\d+/", "");
                if (name.endsWith(".class") && !name.startsWith("io/socketaudit/")) {
                    foreign.add(entry.getName());
                }
            }
        }
        assertEquals(List.of(), foreign, "classes the application could see under their own names");
    }

    @Test
    void theManifestMakesItAnAgentAndACommand() throws IOException {
        try (JarFile jar = new JarFile(AgentJvm.agentJar().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.socketaudit.agent.AgentEntry", main.getValue("Premain-Class"));
            assertEquals("io.socketaudit.agent.AgentEntry", main.getValue("Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("io.socketaudit.cli.Main", main.getValue("Main-Class"));
            assertNotNull(jar.getEntry("io/socketaudit/kernel/linux-x86_64/libsocketaudit-probe.so"));
        }
    }

    @Test
    void theHtmlReportsStylesheetAndScriptAreInIt() throws IOException {
        try (JarFile jar = new JarFile(AgentJvm.agentJar().toFile())) {
            assertNotNull(jar.getEntry("io/socketaudit/report/report.css"), "the HTML report's stylesheet");
            assertNotNull(jar.getEntry("io/socketaudit/report/report.js"), "the HTML report's script");
        }
    }
}
