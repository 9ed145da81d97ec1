package io.socketaudit.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the native library the build put on the test class path, as the agent loads it from its jar. */
public final class BuiltLibrary {

    private BuiltLibrary() {
    }

    /** Null when loaded, else why not; {@code parent} gets the private directory the library is written to. */
    public static String load(Path parent) throws IOException {
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(NativeLibrary.RESOURCE)) {
            if (in == null) {
                throw new IOException(NativeLibrary.RESOURCE + " is not on the test class path: build with Maven");
            }
            return NativeLibrary.load(Files.createDirectory(parent.resolve("lib")), in.readAllBytes());
        }
    }
}
