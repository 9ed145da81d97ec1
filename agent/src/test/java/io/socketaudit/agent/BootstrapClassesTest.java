package io.socketaudit.agent;

import io.socketaudit.bootstrap.SocketBridge;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BootstrapClassesTest {

    /** A class added to the bridge package and missing from the list would be missing at run time. */
    @Test
    void theBridgeClassesAreExactlyThoseOfTheBridgePackage() throws IOException, URISyntaxException {
        Path classes = Path.of(SocketBridge.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.list(classes.resolve(BootstrapClasses.BRIDGE_PACKAGE))) {
            List<String> compiled = files.map(f -> BootstrapClasses.BRIDGE_PACKAGE + f.getFileName()).sorted()
                    .collect(Collectors.toList());
            assertEquals(compiled, BootstrapClasses.BRIDGE_CLASSES.stream().sorted().collect(Collectors.toList()));
        }
    }
}
