package io.socketaudit.report;

import io.socketaudit.cli.ExitCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report is one self-contained page whose script runs without errors in a real browser.
 * Chromium must be installed (Debian package {@code chromium}); without it the test fails rather
 * than skips, so a CI machine that lost it is noticed.
 */
class HtmlReportTest {

    private static final Pattern EXTERNAL_REFERENCE =
            Pattern.compile("(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)|@import|url\\(\\s*[\"']?(https?:|//)", Pattern.CASE_INSENSITIVE);
    private static final long BROWSER_TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void pageIsSelfContainedAndHasItsCharts() throws IOException {
        String page = render();

        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertFalse(EXTERNAL_REFERENCE.matcher(page).find(), "nothing may be fetched from the network");
        assertTrue(page.contains("<section id=\"timeline\"><h2>Closes over time, by how</h2><svg"), "timeline chart");
        assertTrue(page.contains("<section id=\"callsites\"><h2>Call sites that close most</h2>"), "call site chart");
        assertTrue(page.contains("aria-label=\"top call sites\""));
        assertTrue(page.contains("<section id=\"agent\" class=\"banner bad\">"), "losses are flagged");
        assertTrue(page.contains("<strong>3 events dropped</strong>"));
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "log text is escaped");
        assertFalse(page.contains("<script>alert(1)"));
        assertTrue(page.contains("evil<mark class=\"bidi\" title=\"bidirectional control character\">[U+202E]</mark>"),
                "a bidirectional override is shown, not obeyed");
        assertFalse(page.contains("\u202e"), "no raw override in the page");
    }

    @Test
    void pageRendersInHeadlessChromiumWithoutScriptErrors() throws IOException, InterruptedException {
        Path html = Files.writeString(dir.resolve("report.html"), render());

        Browser dom = chromium(html, "--dump-dom");
        assertEquals(0, dom.exitCode(), dom.stderr());
        assertTrue(dom.stdout().contains("data-rendered=\"ok\""), "the page's script ran to its end:\n" + dom.stdout());
        assertFalse(dom.stderr().contains("Uncaught"), dom.stderr());
        assertFalse(dom.stderr().contains(":CONSOLE"), "the page logs nothing to its console:\n" + dom.stderr());

        Path png = dir.resolve("report.png");
        Browser screenshot = chromium(html, "--screenshot=" + png, "--window-size=1200,900");
        assertEquals(0, screenshot.exitCode(), screenshot.stderr());
        byte[] image = Files.readAllBytes(png);
        assertTrue(image.length > 10_000, "a screenshot with something on it: " + image.length + " bytes");
        assertEquals((byte) 0x89, image[0]);
        assertEquals('P', image[1]);
    }

    private record Browser(int exitCode, String stdout, String stderr) {
    }

    private Browser chromium(Path html, String... action) throws IOException, InterruptedException {
        Path binary = findChromium();
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile"),
                "--enable-logging=stderr", "--v=0"));
        command.addAll(List.of(action));
        command.add(html.toUri().toString());
        Path stdout = dir.resolve("chromium.out");
        Path stderr = dir.resolve("chromium.err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().put("HOME", dir.toString());
        Process process = builder.start();
        if (!process.waitFor(BROWSER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("chromium did not finish within " + BROWSER_TIMEOUT_SECONDS + " s: " + Files.readString(stderr));
        }
        return new Browser(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private static Path findChromium() {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(directory, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        Path debian = Path.of("/usr/bin/chromium");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        return fail("chromium not found on PATH: install it (Debian/Ubuntu: apt-get install chromium) to test the HTML report");
    }

    private String render() throws IOException {
        SyntheticLog log = SyntheticLog.started(42)
                .stack(1, "java.net.Socket.close(Socket.java:1500)", "app.Server.reject(Server.java:42)");
        for (int i = 0; i < 120; i++) {
            String how = i % 7 == 0 ? "abortive" : i % 5 == 0 ? "half-close" : "graceful";
            String op = how.equals("half-close") ? "shutdownOutput" : "close";
            log.atMillis(i * 37L).event(op.equals("close") ? "close" : "shutdown", "conn", i, "api", "Socket", "op", op,
                    "local", "10.0.0.1:8080", "remote", "10.0.0." + (2 + i % 3) + ":" + (40000 + i), "how", how,
                    "cause", how.equals("abortive") ? "unread-input" : null, "initiator", i % 2 == 0 ? "local" : "peer",
                    "pendingIn", how.equals("abortive") ? 100 : 0, "pendingOut", 0,
                    "caller", i % 3 == 0 ? "app.Server.reject(Server.java:42)" : "app.<script>alert(1)</script>.evil\u202Ex(X.java:1)",
                    "stackId", 1);
        }
        Path file = log.event("dropped", "count", 3).stop().writeTo(dir.resolve("audit.jsonl"));
        CommandResult result = CommandResult.report(file, "--format", "html");
        assertEquals(ExitCode.OK.status(), result.exitCode(), result.err());
        return result.out();
    }
}
