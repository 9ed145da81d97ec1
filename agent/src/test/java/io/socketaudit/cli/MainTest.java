package io.socketaudit.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dispatch over the commands, and the one shape every command's answers have. */
class MainTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutACommandTheOverviewGoesToStandardErrorAsAUsageError() {
        Run run = run();
        assertEquals(ExitCode.WRONG_USAGE.status(), run.exitCode());
        assertTrue(run.err().startsWith("Usage: java -jar socket-audit-agent.jar <command> [options]\n"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void anUnknownCommandIsOneLineNamingItAndWhereTheCommandsAreListed() {
        Run run = run("reprot", "x.jsonl");
        assertEquals(ExitCode.WRONG_USAGE.status(), run.exitCode());
        assertEquals("socket-audit: unknown command 'reprot'; see java -jar socket-audit-agent.jar help\n", run.err());
    }

    @Test
    void helpListsEveryCommandWithItsDescription() {
        for (String help : new String[] {"help", "--help", "-h"}) {
            Run run = run(help);
            assertEquals(ExitCode.OK.status(), run.exitCode(), help);
            for (Command command : Main.COMMANDS) {
                assertTrue(run.out().contains("  " + command.name + " ") && run.out().contains(command.description),
                        help + " must list " + command.name + ":\n" + run.out());
            }
        }
    }

    @Test
    void eachCommandsHelpStartsWithItsUsageWhetherAskedOfHelpOrOfTheCommand() {
        for (Command command : Main.COMMANDS) {
            String usage = "Usage: java -jar socket-audit-agent.jar " + command.usage.get(0) + "\n";
            Run viaHelp = run("help", command.name);
            Run viaOption = run(command.name, "--help");
            assertEquals(ExitCode.OK.status(), viaHelp.exitCode(), viaHelp.err());
            assertTrue(viaHelp.out().startsWith(usage), viaHelp.out());
            assertEquals(viaHelp, viaOption);
        }
    }

    @Test
    void aUsageErrorIsOneLineNamingTheProblemAndTheCommandsHelp() {
        Run run = run("version", "extra");
        assertEquals(ExitCode.WRONG_USAGE.status(), run.exitCode());
        assertEquals("socket-audit version: takes no arguments; see java -jar socket-audit-agent.jar help version\n",
                run.err());
        assertEquals("", run.out());
    }

    @Test
    void prepareTakesOnlyACacheDirectory() {
        assertEquals("socket-audit prepare: unknown argument '--dir'; see java -jar socket-audit-agent.jar help prepare\n",
                run("prepare", "--dir", "/tmp/x").err());
        Run noDirectory = run("prepare", "--cache");
        assertEquals(ExitCode.WRONG_USAGE.status(), noDirectory.exitCode());
        assertEquals("socket-audit prepare: --cache needs a directory; see java -jar socket-audit-agent.jar help prepare\n",
                noDirectory.err());
        Run off = run("prepare", "--cache", "off");
        assertEquals(ExitCode.WRONG_USAGE.status(), off.exitCode());
        assertTrue(off.err().startsWith("socket-audit prepare: the woven class cache is off"), off.err());
    }

    @Test
    void versionIsTheJarsVersionWhicheverWayItIsAsked() {
        Run version = run("version");
        assertEquals(ExitCode.OK.status(), version.exitCode());
        assertTrue(version.out().matches("socket-audit \\S+\n"), version.out());
        assertEquals(version, run("--version"));
    }
}
