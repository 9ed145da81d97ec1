package io.socketaudit.agent;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;

/** The jar the agent and its command-line tool run from, and the version its manifest gives. */
public final class AgentJar {

    private AgentJar() {
    }

    /** The jar file; an {@code IOException} saying where the classes came from when they are not in one. */
    public static File file() throws IOException {
        try {
            File jar = new File(AgentJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!jar.isFile()) {
                throw new IOException("not running from the agent jar (the classes come from " + jar + ")");
            }
            return jar;
        } catch (URISyntaxException | SecurityException e) {
            throw new IOException("cannot locate the agent jar", e);
        }
    }

    /** {@code Implementation-Version} of the jar's manifest; {@code dev} for classes outside the built jar. */
    public static String version() {
        String version = AgentJar.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
