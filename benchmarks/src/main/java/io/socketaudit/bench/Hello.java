package io.socketaudit.bench;

/**
 * The start-up benchmark's application: prints {@link System#nanoTime()} as the first thing {@code main} does.
 * On Linux the JVM reads CLOCK_MONOTONIC, a clock shared by all processes, so the harness subtracts the
 * moment it started the process to get the time to {@code main()}.
 */
public final class Hello {

    private Hello() {
    }

    public static void main(String[] args) {
        long now = System.nanoTime();
        System.out.println(Results.PREFIX + "mainNanos=" + now);
        System.out.println("Hello, world");
    }
}
