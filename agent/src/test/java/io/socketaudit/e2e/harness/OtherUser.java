package io.socketaudit.e2e.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An unprivileged local user for the tests that play another user of the machine (or the agent's own
 * user when the JVM must not be root). Only root can create it and act as it.
 */
public record OtherUser(String name, int uid, int gid) {

    private static final String NAME = "socketaudit-other";

    /** Whether the tests run as root, which the other-user tests need. */
    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The user, created when missing (useradd is idempotent here: an existing user is taken as it is). */
    public static synchronized OtherUser get() throws IOException, InterruptedException {
        if (run("id", "-u", NAME).isEmpty()) {
            run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NAME);
        }
        String uid = run("id", "-u", NAME);
        String gid = run("id", "-g", NAME);
        if (uid.isEmpty() || gid.isEmpty()) {
            throw new IllegalStateException("cannot create the user " + NAME);
        }
        return new OtherUser(NAME, Integer.parseInt(uid), Integer.parseInt(gid));
    }

    /** The prefix that runs a command as this user, without any of root's groups. */
    public List<String> setpriv() {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }

    /** Runs a command as this user and fails the test when it fails. */
    public void exec(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(setpriv());
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", full) + " failed: " + out);
        }
    }

    /** The command's trimmed stdout, empty when it fails. */
    public static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor() == 0 ? out : "";
    }
}
