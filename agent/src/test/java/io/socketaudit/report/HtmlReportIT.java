package io.socketaudit.report;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report's script runs without errors in a real browser, and the page draws. An integration test: it
 * needs chromium (Debian package {@code chromium}), and without it fails rather than skips, so that a CI machine
 * that lost it is noticed. What can be checked on the page's text is {@link HtmlReportTest}'s.
 */
class HtmlReportIT {

    private static final long BROWSER_TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void pageRendersInHeadlessChromiumWithoutScriptErrors() throws IOException, InterruptedException {
        Path html = Files.writeString(dir.resolve("report.html"), HtmlReportPage.render(dir));

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
}
