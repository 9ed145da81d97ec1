package io.socketaudit.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

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

    /**
     * The bytes of these entries of the jar, in the order given. Read through the jar itself, not as class loader
     * resources: those are looked for in every module of the JDK first and then opened through a URL connection,
     * which cost the start about 12 ms for a single file.
     */
    static Map<String, byte[]> read(List<String> entries) throws IOException {
        File file = file();
        Map<String, byte[]> contents = new LinkedHashMap<>();
        try (JarFile jar = new JarFile(file, false)) {
            for (String name : entries) {
                JarEntry entry = jar.getJarEntry(name);
                if (entry == null) {
                    throw new IOException(file + " holds no " + name);
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    contents.put(name, in.readAllBytes());
                }
            }
        }
        return contents;
    }

    /** {@code Implementation-Version} of the jar's manifest; {@code dev} for classes outside the built jar. */
    public static String version() {
        String version = AgentJar.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
