package io.socketaudit.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report is one self-contained page; that its script runs in a browser is {@link HtmlReportIT}'s. */
class HtmlReportTest {

    private static final Pattern EXTERNAL_REFERENCE =
            Pattern.compile("(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)|@import|url\\(\\s*[\"']?(https?:|//)", Pattern.CASE_INSENSITIVE);

    @TempDir
    Path dir;

    @Test
    void pageIsSelfContainedAndHasItsCharts() throws IOException {
        String page = HtmlReportPage.render(dir);

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
    void theStylesheetAndTheScriptAreInlinedWhole() throws IOException {
        String page = HtmlReportPage.render(dir);

        for (String file : new String[] {"report.css", "report.js"}) {
            try (InputStream in = HtmlReport.class.getResourceAsStream(file)) {
                assertNotNull(in, file + " beside HtmlReport");
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(text.length() > 500 && page.contains(text), file + " is in the page");
            }
        }
        assertTrue(page.contains("<style>\n:root {"), "the stylesheet is in the head");
        assertTrue(page.contains("document.documentElement.setAttribute('data-rendered', 'ok');\n})();\n</script>"),
                "the script ends the body");
    }
}
