package io.socketaudit.e2e.agent;

import io.socketaudit.e2e.harness.E2eApp;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.stream.Stream;

/**
 * {@link E2eApp}'s round trip, then waits until the agent has written its woven class cache into the directory
 * given (the agent writes it on a thread of its own, which the JVM's exit would otherwise cut short): told by the
 * kernel (inotify), not by polling.
 */
public final class WovenCacheProgram {

    public static final String WRITTEN = "woven class cache written";

    private WovenCacheProgram() {
    }

    public static void main(String[] args) throws Exception {
        E2eApp.main(new String[]{"roundTrip"});
        Path cache = Path.of(args[0]);
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            cache.register(watcher, StandardWatchEventKinds.ENTRY_CREATE); // a rename into it is a creation too
            while (!hasCacheFile(cache)) {
                watcher.take().reset();
            }
        }
        System.out.println(WRITTEN);
    }

    private static boolean hasCacheFile(Path cache) throws Exception {
        try (Stream<Path> files = Files.list(cache)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".woven"));
        }
    }
}
