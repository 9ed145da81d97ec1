package io.socketaudit.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentConfigTest {

    private static AgentConfig parse(String args, Properties props, Map<String, String> env) throws ConfigException {
        return AgentConfig.parse(args, props, env, 4242);
    }

    @Test
    void defaultsNameTheLogAfterThePid() throws ConfigException {
        AgentConfig config = parse(null, new Properties(), Map.of());
        assertEquals(Path.of("socket-audit-4242.jsonl").toAbsolutePath(), config.file());
        assertEquals(32, config.stackDepth());
        assertEquals(65536, config.queueSize());
        assertEquals(100L << 20, config.rotateSize());
        assertEquals(5, config.rotateKeep());
        assertFalse(config.gzip());
    }

    @Test
    void agentArgumentsWinOverPropertiesWhichWinOverEnvironment() throws ConfigException {
        Properties props = new Properties();
        props.setProperty("socketaudit.stack.depth", "16");
        props.setProperty("socketaudit.queue.size", "1024");
        Map<String, String> env = Map.of(
                "SOCKETAUDIT_STACK_DEPTH", "8",
                "SOCKETAUDIT_QUEUE_SIZE", "512",
                "SOCKETAUDIT_ROTATE_KEEP", "9");
        AgentConfig config = parse("stack.depth=64,file=/tmp/a-{pid}.jsonl", props, env);
        assertEquals(64, config.stackDepth());
        assertEquals(1024, config.queueSize());
        assertEquals(9, config.rotateKeep());
        assertEquals(Path.of("/tmp/a-4242.jsonl"), config.file());
        assertEquals("64", config.effective().get("stack.depth"));
    }

    @Test
    void librariesArePackagePrefixesSeparatedByColons() throws ConfigException {
        assertEquals(java.util.List.of(), parse(null, new Properties(), Map.of()).libraries());
        AgentConfig config = parse("libraries=com.acme.rpc:org.example.db.", new Properties(), Map.of());
        assertEquals(java.util.List.of("com.acme.rpc.", "org.example.db."), config.libraries());
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("libraries=com.acme/rpc", new Properties(), Map.of()));
        assertTrue(e.getMessage().contains("libraries") && e.getMessage().contains("com.acme/rpc"), e.getMessage());
        assertEquals(java.util.List.of("\u00e9t\u00e9.rpc.", "_x.$y."),
                parse("libraries=\u00e9t\u00e9.rpc:_x.$y", new Properties(), Map.of()).libraries());
        for (String refused : java.util.List.of("1acme", ".acme", "com-acme", "com acme", "\ud835\udfcfacme")) {
            assertThrows(ConfigException.class, () -> parse("libraries=" + refused, new Properties(), Map.of()), refused);
        }
    }

    @Test
    void theCacheIsTheUsersCacheDirectoryUnlessSaidOtherwise() throws ConfigException {
        Properties home = new Properties();
        home.setProperty("user.home", "/home/alice");
        assertEquals(java.nio.file.Path.of("/home/alice/.cache/socket-audit"), parse(null, home, Map.of()).cache());
        assertEquals(java.nio.file.Path.of("/var/cache/x/socket-audit"),
                parse(null, home, Map.of("XDG_CACHE_HOME", "/var/cache/x")).cache());
        assertEquals(java.nio.file.Path.of("/home/alice/.cache/socket-audit"),
                parse(null, home, Map.of("XDG_CACHE_HOME", "relative")).cache(), "a relative XDG_CACHE_HOME is ignored");
        assertEquals("/home/alice/.cache/socket-audit", parse(null, home, Map.of()).effective().get("cache"));
        assertNull(parse(null, new Properties(), Map.of()).cache(), "no home, no cache");
        assertNull(parse("cache=off", home, Map.of()).cache());
        assertEquals(java.nio.file.Path.of("/srv/woven"), parse("cache=/srv/woven", home, Map.of()).cache());
        ConfigException empty = assertThrows(ConfigException.class, () -> parse("cache=", home, Map.of()));
        assertEquals("option cache is empty: expected a directory, or off", empty.getMessage());
        ConfigException nul = assertThrows(ConfigException.class, () -> parse("cache=/a\u0000b", home, Map.of()));
        assertTrue(nul.getMessage().startsWith("option cache=/a"), nul.getMessage());
    }

    @Test
    void unknownAgentArgumentIsNamedWithTheKnownOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("bogus=1", new Properties(), Map.of()));
        assertTrue(e.getMessage().contains("'bogus'"), e.getMessage());
        assertTrue(e.getMessage().contains("stack.depth"), e.getMessage());
    }

    @Test
    void unknownPropertyIsAnErrorButUnknownEnvironmentIsNot() throws ConfigException {
        Properties props = new Properties();
        props.setProperty("socketaudit.stak.depth", "3");
        ConfigException e = assertThrows(ConfigException.class, () -> parse(null, props, Map.of()));
        assertTrue(e.getMessage().contains("socketaudit.stak.depth"), e.getMessage());
        parse(null, new Properties(), Map.of("SOCKETAUDIT_SOMETHING_ELSE", "x"));
    }

    @Test
    void badValuesSayWhatIsAccepted() {
        ConfigException depth = assertThrows(ConfigException.class,
                () -> parse("stack.depth=abc", new Properties(), Map.of()));
        assertEquals("option stack.depth=abc is not a whole number from 1 to 1024", depth.getMessage());
        assertThrows(ConfigException.class, () -> parse("stack.depth=0", new Properties(), Map.of()));
        assertThrows(ConfigException.class, () -> parse("queue.size=-1", new Properties(), Map.of()));
        assertThrows(ConfigException.class, () -> parse("rotate.size=12", new Properties(), Map.of()));
        assertThrows(ConfigException.class, () -> parse("rotate.size=tenM", new Properties(), Map.of()));
        assertThrows(ConfigException.class, () -> parse("file=", new Properties(), Map.of()));
        ConfigException pair = assertThrows(ConfigException.class,
                () -> parse("stack.depth", new Properties(), Map.of()));
        assertTrue(pair.getMessage().contains("not key=value"), pair.getMessage());
    }

    @Test
    void sizesTakeUnitsAndZeroTurnsRotationOff() throws ConfigException {
        assertEquals(64L << 10, parse("rotate.size=64k", new Properties(), Map.of()).rotateSize());
        assertEquals(2L << 30, parse("rotate.size=2G", new Properties(), Map.of()).rotateSize());
        assertEquals(0, parse("rotate.size=0", new Properties(), Map.of()).rotateSize());
        assertEquals(70_000, parse("rotate.size=70000", new Properties(), Map.of()).rotateSize());
    }

    @Test
    void gzipLogNameEndsInGzWhetherOrNotTheUserWroteIt() throws ConfigException {
        AgentConfig appended = parse("compress=gzip,file=/tmp/a-{pid}.jsonl", new Properties(), Map.of());
        assertTrue(appended.gzip());
        assertEquals(Path.of("/tmp/a-4242.jsonl.gz"), appended.file());
        assertEquals("/tmp/a-{pid}.jsonl", appended.effective().get("file"), "the configuration as the user gave it");
        AgentConfig kept = parse("compress=gzip,file=/tmp/a.jsonl.gz", new Properties(), Map.of());
        assertEquals(Path.of("/tmp/a.jsonl.gz"), kept.file());
        assertEquals(Path.of("/tmp/a.jsonl"), parse("compress=none,file=/tmp/a.jsonl", new Properties(), Map.of()).file());
    }

    @Test
    void compressIsReadFromPropertiesAndEnvironmentLikeEveryKey() throws ConfigException {
        Properties props = new Properties();
        props.setProperty("socketaudit.compress", "gzip");
        assertTrue(parse(null, props, Map.of()).gzip());
        assertTrue(parse(null, new Properties(), Map.of("SOCKETAUDIT_COMPRESS", "gzip")).gzip());
        assertFalse(parse("compress=none", props, Map.of()).gzip(), "agent arguments win");
    }

    @Test
    void unknownCompressionNamesTheKeyAndTheAllowedValues() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("compress=zstd", new Properties(), Map.of()));
        assertEquals("option compress=zstd is not one of: none, gzip", e.getMessage());
        assertThrows(ConfigException.class, () -> parse("compress=", new Properties(), Map.of()));
        assertThrows(ConfigException.class, () -> parse("compress=GZIP", new Properties(), Map.of()));
    }

    @Test
    void aKeyGivenTwiceInTheArgumentsIsAnError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("queue.size=64,queue.size=128", new Properties(), Map.of()));
        assertEquals("option queue.size is given twice in the agent arguments", e.getMessage());
    }

    @Test
    void numbersAreAsciiDigitsOnlyWithoutSign() {
        for (String args : List.of("queue.size=+100", "stack.depth=\u0661\u0662", "rotate.keep=\uff15",
                "rotate.size=+64K", "rotate.size=\u0664\u0660\u0660K", "stack.depth= 1 2", "queue.size=1e3")) {
            ConfigException e = assertThrows(ConfigException.class, () -> parse(args, new Properties(), Map.of()), args);
            assertTrue(e.getMessage().startsWith("option " + args.substring(0, args.indexOf('='))), e.getMessage());
        }
    }

    @Test
    void sizesBeyondTheMaximumAreRejectedNotWrappedAround() throws ConfigException {
        for (String size : List.of("17179869185G", "1025G", "1048577M", "999999999999999K", "9223372036854775807")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> parse("rotate.size=" + size, new Properties(), Map.of()), size);
            assertTrue(e.getMessage().contains("not a size from 64K to 1024G"), e.getMessage());
        }
        assertEquals(1L << 40, parse("rotate.size=1024G", new Properties(), Map.of()).rotateSize());
        assertEquals(1L << 40, parse("rotate.size=1048576M", new Properties(), Map.of()).rotateSize());
    }
}
