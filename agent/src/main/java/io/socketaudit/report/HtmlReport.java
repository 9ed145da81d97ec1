package io.socketaudit.report;

import io.socketaudit.agent.AgentJar;
import io.socketaudit.logformat.Value;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --format html}: one self-contained page, CSS, SVG charts and script inline and nothing
 * fetched from anywhere, so it can be mailed or attached to a ticket. The charts are drawn here as
 * SVG; the CSS and the script are {@code report.css} and {@code report.js} beside this class. The
 * script only makes tables sortable, and marks the page {@code data-rendered="ok"} when it ran to
 * its end, which the integration tests check in a headless browser.
 */
final class HtmlReport {

    private static final int CHART_WIDTH = 1000;
    private static final int TIMELINE_HEIGHT = 220;
    private static final int CALL_SITES_CHARTED = 10;
    /** What fits left of the call site bars at the chart's label size. */
    private static final int CHART_LABEL_CHARS = 58;
    private static final Map<String, String> HOW_COLOURS = Map.of(
            Value.GRACEFUL, "#2e7d32", Value.HALF_CLOSE, "#1565c0", Value.ABORTIVE, "#c62828", Summary.UNKNOWN, "#9e9e9e");
    private static final List<String> HOW_ORDER = List.of(Value.GRACEFUL, Value.HALF_CLOSE, Value.ABORTIVE, Summary.UNKNOWN);
    private static final String OTHER_COLOUR = "#8e24aa";

    /** The page's stylesheet, a file beside this class. */
    private static final String STYLE = "report.css";
    /** Sortable tables (click a heading); its last statement marks the page as rendered. */
    private static final String SCRIPT = "report.js";

    private final Summary s;
    private final StringBuilder out = new StringBuilder();

    private HtmlReport(Summary summary) {
        this.s = summary;
    }

    static void write(Summary summary, Writer writer) throws IOException {
        HtmlReport report = new HtmlReport(summary);
        report.page(resource(STYLE), resource(SCRIPT));
        writer.write(report.out.toString());
    }

    /**
     * A file the page inlines. They are kept as files, not strings in this class, so that they read, diff and lint
     * as CSS and JavaScript.
     */
    private static String resource(String name) throws IOException {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the agent jar lacks " + name + " next to " + HtmlReport.class.getName()
                        + "; it is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void page(String style, String script) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>socket-audit report</title>\n<style>\n").append(style).append("</style>\n</head>\n<body>\n");
        header();
        agentHealth();
        inputs();
        overview();
        timeline();
        callSites();
        atRisk();
        endpoints();
        neverClosed();
        diagnoses();
        pairs();
        out.append("<footer>socket-audit ").append(escape(AgentJar.version()))
                .append(" &middot; report format ").append(JsonReport.FORMAT_VERSION).append("</footer>\n");
        out.append("<script>\n").append(script).append("</script>\n</body>\n</html>\n");
    }

    private void header() {
        long lines = s.inputs().stream().mapToLong(Summary.InputFile::lines).sum();
        out.append("<header><h1>socket-audit report</h1><p>")
                .append(Wording.plural(s.inputs().size(), "file")).append(", ").append(Wording.plural(lines, "line"));
        if (s.firstMicros() != null) {
            out.append(" &middot; ").append(Summary.formatTime(s.firstMicros())).append(" to ")
                    .append(Summary.formatTime(s.lastMicros())).append(" (")
                    .append(Summary.formatDuration(s.lastMicros() - s.firstMicros())).append(')');
        }
        out.append("</p></header>\n");
    }

    private void agentHealth() {
        Summary.Health h = s.health();
        List<String> warnings = new ArrayList<>();
        if (h.droppedEvents() > 0) {
            warnings.add("<strong>" + Wording.number(h.droppedEvents()) + " events dropped</strong> by the agent (its queue was full, or the log could not be written):"
                    + " every count on this page is short by up to that many.");
        }
        if (h.agentErrors() > 0) {
            StringBuilder errors = new StringBuilder("<strong>" + Wording.plural(h.agentErrors(), "agent error")
                    + "</strong> (the app was not affected; those closes may be missing):<ul>");
            h.errors().forEach(e -> errors.append("<li>pid ").append(e.pid()).append(", ").append(escape(e.where()))
                    .append(": ").append(escape(e.error())).append(" &times; ").append(Wording.number(e.count())).append("</li>"));
            warnings.add(errors.append("</ul>").toString());
        }
        h.pidsWithoutStop().forEach(pid -> warnings.add("pid " + pid + " has no agent_stop line: the app was still running,"
                + " was killed, or the log was cut short."));
        h.kernelProbeUnavailable().forEach(issue -> warnings.add("pid " + issue.pid() + ": kernel probe "
                + escape(issue.kernelProbe()) + "; how, pendingIn, pendingOut and tcpState may be unknown."));
        boolean ok = warnings.isEmpty();
        out.append("<section id=\"agent\" class=\"banner ").append(h.lossy() ? "bad" : ok ? "ok" : "warn").append("\"><h2>Agent</h2>");
        if (ok) {
            out.append("<p>No events dropped, no agent errors, every agent stopped normally.</p>");
        } else {
            out.append("<ul>");
            warnings.forEach(w -> out.append("<li>").append(w).append("</li>"));
            out.append("</ul>");
        }
        out.append("</section>\n");
    }

    private void inputs() {
        Summary.Problems p = s.problems();
        out.append("<section id=\"input\"><h2>Input</h2><table class=\"sortable\"><thead><tr>")
                .append("<th>file</th><th class=\"n\">lines</th><th class=\"n\">used</th><th>agent runs</th></tr></thead><tbody>");
        for (Summary.InputFile input : s.inputs()) {
            List<String> runs = new ArrayList<>();
            input.runs().forEach(r -> runs.add("pid " + r.pid() + ", agent " + r.agentVersion() + ", JDK " + r.jdk()
                    + (r.part() == null ? "" : ", part " + r.part())));
            out.append("<tr><td>").append(escape(input.name())).append(input.gzip() ? " (gzip)" : "").append("</td>")
                    .append(numberCell(input.lines())).append(numberCell(input.records()))
                    .append("<td>").append(escape(String.join("; ", runs))).append("</td></tr>");
        }
        out.append("</tbody></table>");
        if (p.any()) {
            out.append("<div class=\"banner warn\"><ul>");
            if (p.skippedLines() > 0) {
                out.append("<li><strong>").append(Wording.plural(p.skippedLines(), "line")).append(" skipped</strong>: ")
                        .append(escape(Wording.skippedKinds(p))).append("</li>");
            }
            if (!p.unknownEvents().isEmpty()) {
                out.append("<li>Events this report does not know (a newer agent?): ").append(escape(counts(p.unknownEvents()))).append("</li>");
            }
            if (!p.unknownFields().isEmpty()) {
                out.append("<li>Fields this report does not know, ignored (a newer agent?): ")
                        .append(escape(counts(p.unknownFields()))).append("</li>");
            }
            if (p.unresolvedStacks() > 0) {
                out.append("<li>").append(Wording.plural(p.unresolvedStacks(), "event"))
                        .append(" refer to a stackId with no stack line before it</li>");
            }
            p.damagedFiles().forEach(d -> out.append("<li>").append(escape(d)).append("</li>"));
            out.append("</ul>");
            if (!p.examples().isEmpty()) {
                out.append("<table><thead><tr><th>where</th><th>problem</th><th>line</th></tr></thead><tbody>");
                p.examples().forEach(e -> out.append("<tr><td>").append(escape(e.file() + ":" + e.line())).append("</td><td>")
                        .append(escape(e.kind())).append("</td><td><code>").append(escape(e.excerpt())).append("</code></td></tr>"));
                out.append("</tbody></table>");
            }
            out.append("</div>");
        }
        out.append("</section>\n");
    }

    private void overview() {
        out.append("<section id=\"overview\"><h2>Closes and shutdowns</h2><div class=\"cards\">");
        card("closes and shutdowns", Wording.number(s.socketEvents()), "");
        card("abortive closes", Wording.number(s.atRisk().abortive()), s.atRisk().abortive() > 0 ? "bad" : "");
        card("closes at risk", Wording.number(s.atRisk().closes()), s.atRisk().closes() > 0 ? "bad" : "");
        card("never closed", Wording.number(s.neverClosed().leaks() + s.neverClosed().openAtExit()),
                s.neverClosed().leaks() > 0 ? "bad" : "");
        card("connections with both ends audited", Wording.number(s.pairing().pairs()), "");
        out.append("</div><div class=\"breakdowns\">");
        breakdown("api", s.byApi());
        breakdown("op", s.byOp());
        breakdown("how", s.byHow());
        breakdown("cause", s.byCause());
        breakdown("initiator", s.byInitiator());
        out.append("</div>");
        if (s.notConnected() > 0) {
            out.append("<p class=\"note\">").append(Wording.number(s.notConnected()))
                    .append(" of them closed listeners or unconnected sockets; how, cause and initiator count connections only.</p>");
        }
        out.append("</section>\n");
    }

    private void card(String label, String value, String cssClass) {
        out.append("<div class=\"card ").append(cssClass).append("\"><div class=\"value\">").append(value)
                .append("</div><div class=\"label\">").append(escape(label)).append("</div></div>");
    }

    private void breakdown(String title, Map<String, Long> counts) {
        long max = counts.values().stream().mapToLong(Long::longValue).max().orElse(1);
        out.append("<div class=\"breakdown\"><h3>").append(title).append("</h3><table>");
        counts.forEach((key, n) -> out.append("<tr><td>").append(escape(key)).append("</td><td class=\"n\">")
                .append(Wording.number(n)).append("</td><td class=\"bar\"><span style=\"width:")
                .append(Math.max(1, Math.round(100.0 * n / max))).append("%;background:")
                .append(title.equals("how") ? colour(key) : "#607d8b").append("\"></span></td></tr>"));
        out.append("</table></div>");
    }

    private void timeline() {
        Summary.Timeline t = s.timeline();
        out.append("<section id=\"timeline\"><h2>Closes over time, by how</h2>");
        if (t.buckets().isEmpty()) {
            out.append("<p>No closes.</p></section>\n");
            return;
        }
        List<String> hows = orderedHows(t.hows());
        long first = t.buckets().get(0).startMicros();
        long end = t.buckets().get(t.buckets().size() - 1).startMicros() + t.bucketMicros();
        long slots = (end - first) / t.bucketMicros();
        long max = 1;
        for (Summary.TimeBucket bucket : t.buckets()) {
            max = Math.max(max, bucket.byHow().values().stream().mapToLong(Long::longValue).sum());
        }
        int left = 50;
        int plotWidth = CHART_WIDTH - left - 10;
        int top = 10;
        int plotHeight = TIMELINE_HEIGHT - top - 30;
        double slotWidth = (double) plotWidth / slots;
        out.append("<svg class=\"chart\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(TIMELINE_HEIGHT)
                .append("\" role=\"img\" aria-label=\"closes over time by how\">");
        axis(left, top, plotWidth, plotHeight, max);
        for (Summary.TimeBucket bucket : t.buckets()) {
            double x = left + (double) (bucket.startMicros() - first) / t.bucketMicros() * slotWidth;
            double y = top + plotHeight;
            for (String how : hows) {
                long n = bucket.byHow().getOrDefault(how, 0L);
                if (n == 0) {
                    continue;
                }
                double height = (double) n / max * plotHeight;
                y -= height;
                out.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">",
                        x, y, Math.max(1, slotWidth * 0.9), height, colour(how)));
                out.append("<title>").append(Summary.formatTime(bucket.startMicros())).append(": ").append(n).append(' ')
                        .append(escape(how)).append("</title></rect>");
            }
        }
        text(left, TIMELINE_HEIGHT - 8, "start", Summary.formatTime(first));
        text(left + plotWidth, TIMELINE_HEIGHT - 8, "end", Summary.formatTime(end));
        out.append("</svg><p class=\"legend\">");
        hows.forEach(how -> out.append("<span><i style=\"background:").append(colour(how)).append("\"></i>")
                .append(escape(how)).append("</span>"));
        out.append("<span>one bar per ").append(Summary.formatDuration(t.bucketMicros())).append("</span></p></section>\n");
    }

    private void callSites() {
        Summary.Ranking<Summary.CallSite> sites = s.callSites();
        out.append("<section id=\"callsites\"><h2>Call sites that close most</h2>").append(rankingNote(sites));
        if (sites.top().isEmpty()) {
            out.append("<p>None.</p></section>\n");
            return;
        }
        List<Summary.CallSite> charted = sites.top().subList(0, Math.min(CALL_SITES_CHARTED, sites.top().size()));
        long max = charted.stream().mapToLong(c -> c.closes() + c.shutdowns()).max().orElse(1);
        int rowHeight = 24;
        int labelWidth = 420;
        int barWidth = CHART_WIDTH - labelWidth - 60;
        out.append("<svg class=\"chart\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(charted.size() * rowHeight + 10)
                .append("\" role=\"img\" aria-label=\"top call sites\">");
        for (int i = 0; i < charted.size(); i++) {
            Summary.CallSite c = charted.get(i);
            int y = 5 + i * rowHeight;
            out.append("<text x=\"").append(labelWidth - 8).append("\" y=\"").append(y + 16)
                    .append("\" text-anchor=\"end\" class=\"label\">").append(escape(shortCaller(c.caller())))
                    .append("<title>").append(escape(c.caller())).append("</title></text>");
            double x = labelWidth;
            Map<String, Long> parts = new LinkedHashMap<>();
            parts.put("closes, local initiated", c.localInitiated());
            parts.put("closes, peer initiated", c.peerInitiated());
            parts.put("closes, initiator unknown", c.unknownInitiator());
            parts.put("shutdowns", c.shutdowns());
            String[] colours = {"#37474f", "#90a4ae", "#cfd8dc", "#1565c0"};
            int part = 0;
            for (Map.Entry<String, Long> entry : parts.entrySet()) {
                double width = (double) entry.getValue() / max * barWidth;
                if (width > 0) {
                    out.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"18\" fill=\"%s\">",
                            x, y + 3, width, colours[part]));
                    out.append("<title>").append(entry.getValue()).append(' ').append(entry.getKey()).append("</title></rect>");
                    x += width;
                }
                part++;
            }
            out.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" class=\"label\">%s</text>", x + 6, y + 16,
                    Wording.number(c.closes() + c.shutdowns())));
        }
        out.append("</svg><p class=\"legend\"><span><i style=\"background:#37474f\"></i>closed, local initiated</span>")
                .append("<span><i style=\"background:#90a4ae\"></i>closed, peer initiated</span>")
                .append("<span><i style=\"background:#cfd8dc\"></i>closed, initiator unknown</span>")
                .append("<span><i style=\"background:#1565c0\"></i>shut down</span></p>");
        out.append("<table class=\"sortable\"><thead><tr><th class=\"n\">closes</th><th class=\"n\">local</th><th class=\"n\">peer</th>")
                .append("<th class=\"n\">unknown</th><th class=\"n\">shutdowns</th><th>caller</th></tr></thead><tbody>");
        for (Summary.CallSite c : sites.top()) {
            out.append("<tr>").append(numberCell(c.closes())).append(numberCell(c.localInitiated()))
                    .append(numberCell(c.peerInitiated())).append(numberCell(c.unknownInitiator())).append(numberCell(c.shutdowns()))
                    .append("<td>").append(callerWithStack(c.caller(), c.stack())).append("</td></tr>");
        }
        out.append("</tbody></table></section>\n");
    }

    private void atRisk() {
        Summary.AtRisk risk = s.atRisk();
        out.append("<section id=\"atrisk\"><h2>At risk: abortive closes and closes with bytes left behind</h2>");
        if (risk.closes() == 0) {
            out.append("<p>None: no abortive close, no close with unread or unsent bytes.</p></section>\n");
            return;
        }
        out.append("<p>").append(Wording.plural(risk.closes(), "close")).append(" reset the connection or left bytes behind: ")
                .append(Wording.number(risk.abortive())).append(" abortive, ").append(Wording.bytes(risk.pendingInBytes()))
                .append(" unread, ").append(Wording.bytes(risk.pendingOutBytes())).append(" unsent.")
                .append(risk.approximate() ? " Rare call sites were folded: the counts are approximate." : "").append("</p>");
        out.append("<table class=\"sortable\"><thead><tr><th class=\"n\">closes</th><th class=\"n\">abortive</th>")
                .append("<th class=\"n\">with unread</th><th class=\"n\">bytes unread</th><th class=\"n\">with unsent</th>")
                .append("<th class=\"n\">bytes unsent</th><th>cause</th><th>caller</th></tr></thead><tbody>");
        for (Summary.AtRiskSite site : risk.sites()) {
            out.append("<tr>").append(numberCell(site.closes())).append(numberCell(site.abortive()))
                    .append(numberCell(site.withPendingIn())).append(numberCell(site.pendingInBytes()))
                    .append(numberCell(site.withPendingOut())).append(numberCell(site.pendingOutBytes()))
                    .append("<td>").append(escape(counts(site.causes()))).append("</td><td>")
                    .append(callerWithStack(site.caller(), site.stack())).append("</td></tr>");
        }
        out.append("</tbody></table></section>\n");
    }

    private void endpoints() {
        Summary.Services services = s.services();
        out.append("<section id=\"services\"><h2>Services</h2><p>Closed connections by the accepting side's address.")
                .append(services.closesWithoutSide() > 0 ? " " + Wording.plural(services.closesWithoutSide(), "close")
                        + " without a known side (no open line) left out." : "").append("</p>").append(rankingNote(services.ranking()));
        out.append("<table class=\"sortable\"><thead><tr><th class=\"n\">connections</th><th class=\"n\">abortive</th>")
                .append("<th>we</th><th>service</th></tr></thead><tbody>");
        services.ranking().top().forEach(e -> out.append("<tr>").append(numberCell(e.connections())).append(numberCell(e.abortive()))
                .append("<td>").append(escape(e.side())).append("</td><td>").append(escape(e.address())).append("</td></tr>"));
        out.append("</tbody></table></section>\n");
        Summary.Ranking<Summary.Endpoint> hosts = s.peerHosts();
        out.append("<section id=\"peerhosts\"><h2>Peer hosts</h2>").append(rankingNote(hosts));
        out.append("<table class=\"sortable\"><thead><tr><th class=\"n\">connections</th><th class=\"n\">abortive</th>")
                .append("<th>host</th></tr></thead><tbody>");
        hosts.top().forEach(e -> out.append("<tr>").append(numberCell(e.connections())).append(numberCell(e.abortive()))
                .append("<td>").append(escape(e.endpoint())).append("</td></tr>"));
        out.append("</tbody></table></section>\n");
    }

    private void neverClosed() {
        Summary.NeverClosed never = s.neverClosed();
        out.append("<section id=\"neverclosed\"><h2>Never closed</h2>");
        if (never.leaks() == 0 && never.openAtExit() == 0) {
            out.append("<p>None: no leak, nothing open at exit.</p></section>\n");
            return;
        }
        out.append("<p>").append(Wording.plural(never.leaks(), "connection"))
                .append(" collected by the GC without a close (leaks), ").append(Wording.number(never.openAtExit()))
                .append(" still open when the JVM exited, by the code that opened them.</p>").append(rankingNote(never.sites()));
        out.append("<table class=\"sortable\"><thead><tr><th class=\"n\">leaks</th><th class=\"n\">open at exit</th>")
                .append("<th>opened at</th></tr></thead><tbody>");
        never.sites().top().forEach(site -> out.append("<tr>").append(numberCell(site.leaks())).append(numberCell(site.openAtExit()))
                .append("<td>").append(callerWithStack(site.caller(), site.stack())).append("</td></tr>"));
        out.append("</tbody></table></section>\n");
    }

    private void diagnoses() {
        Summary.StaleReuse stale = s.diagnoses().staleReuse();
        out.append("<section id=\"stalereuse\"><h2>Stale keep-alive reuse</h2>");
        if (stale.connections() == 0) {
            out.append("<p>None found: no connection our side sent data on after the peer had finished it.</p>");
        } else {
            out.append("<p><strong>").append(Wording.plural(stale.connections(), "connection"))
                    .append("</strong> our side sent data on after the peer had finished it (")
                    .append(Wording.number(stale.confirmed())).append(" confirmed by both ends' logs). The peer's idle timeout,"
                            + " estimated: at most ").append(Summary.formatDuration(stale.shortestPauseMs() * 1_000))
                    .append(" (the shortest pause before a reuse).");
            s.peerIdleCloses().forEach(peer -> out.append(" The peer's own log: it closed idle connections on ")
                    .append(escape(peer.address())).append(" after ").append(Summary.formatDuration(peer.shortestMs() * 1_000))
                    .append(" idle at the shortest."));
            out.append("</p><p><strong>Advice:</strong> ").append(escape(IncidentDiagnoses.STALE_ADVICE)).append(".</p>");
            out.append("<table class=\"sortable\"><thead><tr><th class=\"n\">connections</th><th class=\"n\">confirmed</th>")
                    .append("<th class=\"n\">shortest pause</th><th>caller (of the close)</th></tr></thead><tbody>");
            stale.sites().forEach(site -> out.append("<tr>").append(numberCell(site.connections())).append(numberCell(site.confirmed()))
                    .append("<td class=\"n\">").append(Summary.formatDuration(site.shortestPauseMs() * 1_000)).append("</td><td><code>")
                    .append(escape(site.caller())).append("</code></td></tr>"));
            out.append("</tbody></table>");
            examples(stale.examples(), "pause");
        }
        out.append("<p class=\"note\">Evidence: ").append(escape(IncidentDiagnoses.STALE_EVIDENCE)).append(".</p></section>\n");

        Summary.IdleCloses idle = s.diagnoses().idleCloses();
        out.append("<section id=\"idlecloses\"><h2>Idle closes</h2><p>").append(Wording.plural(idle.closes(), "close"))
                .append(" our side made after at least ").append(Summary.formatDuration(idle.thresholdMs() * 1_000))
                .append(" without data either way.</p>");
        if (idle.closes() > 0) {
            out.append("<table class=\"sortable\"><thead><tr><th class=\"n\">closes</th><th class=\"n\">shortest</th>")
                    .append("<th class=\"n\">longest</th><th>we</th><th>service</th><th>idle time</th></tr></thead><tbody>");
            idle.groups().forEach(g -> out.append("<tr>").append(numberCell(g.closes()))
                    .append("<td class=\"n\" data-sort=\"").append(g.shortestMs()).append("\">")
                    .append(Summary.formatDuration(g.shortestMs() * 1_000)).append("</td>")
                    .append("<td class=\"n\" data-sort=\"").append(g.longestMs()).append("\">")
                    .append(Summary.formatDuration(g.longestMs() * 1_000)).append("</td><td>").append(escape(g.side()))
                    .append("</td><td>").append(escape(g.address())).append("</td><td>")
                    .append(escape(Summary.idleDistribution(g.buckets()))).append("</td></tr>"));
            out.append("</tbody></table>");
            examples(idle.examples(), "idle");
        }
        out.append("<p class=\"note\">Evidence: ").append(escape(IncidentDiagnoses.IDLE_EVIDENCE)).append(".</p></section>\n");

        Summary.SlowCloses slow = s.diagnoses().slowCloses();
        out.append("<section id=\"slowcloses\"><h2>Slow close after the peer left (CLOSE_WAIT)</h2><p>")
                .append(Wording.plural(slow.closes(), "close")).append(" in CLOSE_WAIT, worst first.</p>");
        if (slow.closes() > 0) {
            out.append("<table class=\"sortable\"><thead><tr><th class=\"n\">closes</th><th class=\"n\">longest</th>")
                    .append("<th class=\"n\">mean</th><th class=\"n\">by both logs</th><th>caller</th></tr></thead><tbody>");
            slow.sites().forEach(site -> out.append("<tr>").append(numberCell(site.closes()))
                    .append("<td class=\"n\" data-sort=\"").append(site.longestMs()).append("\">")
                    .append(Summary.formatDuration(site.longestMs() * 1_000)).append("</td>")
                    .append("<td class=\"n\" data-sort=\"").append(site.meanMs()).append("\">")
                    .append(Summary.formatDuration(site.meanMs() * 1_000)).append("</td>").append(numberCell(site.measuredByPair()))
                    .append("<td><code>").append(escape(site.caller())).append("</code></td></tr>"));
            out.append("</tbody></table>");
            examples(slow.examples(), "in CLOSE_WAIT");
        }
        out.append("<p class=\"note\">Evidence: ").append(escape(IncidentDiagnoses.SLOW_EVIDENCE)).append(".</p></section>\n");
    }

    private void examples(List<Summary.Example> examples, String measure) {
        out.append("<ul class=\"examples\">");
        examples.forEach(e -> out.append("<li>").append(escape(e.local() + " -> " + e.remote())).append(" (pid ").append(e.pid())
                .append(", conn ").append(e.conn()).append(", ").append(escape(e.file())).append(") closed ")
                .append(Summary.formatTime(e.timeMicros())).append(": ").append(measure).append(' ')
                .append(Summary.formatDuration(e.valueMs() * 1_000)).append(e.byPair() ? ", by both logs" : "").append("</li>"));
        out.append("</ul>");
    }

    private void pairs() {
        Summary.Pairing pairing = s.pairing();
        out.append("<section id=\"pairs\"><h2>Both ends audited</h2><p>")
                .append(Wording.plural(pairing.pairs(), "connection")).append(" paired, ")
                .append(Wording.plural(pairing.unpairedEnds(), "end")).append(" without the other end in the logs.")
                .append(pairing.pairsInOtherPatterns() > 0 ? " " + Wording.number(pairing.pairsInOtherPatterns())
                        + " more pairs in patterns not listed." : "")
                .append("</p>");
        if (pairing.patterns().isEmpty()) {
            out.append("</section>\n");
            return;
        }
        out.append("<table><thead><tr><th class=\"n\">pairs</th><th>ended first</th><th>the other end</th>")
                .append("<th class=\"n\">later by</th></tr></thead><tbody>");
        for (Summary.PairPattern pattern : pairing.patterns()) {
            out.append("<tr").append(pattern.initiatorsAgree() ? "" : " class=\"disagree\" title=\"the ends disagree on who initiated\"")
                    .append(">").append(numberCell(pattern.count())).append("<td>").append(pairedEnd(pattern.first()))
                    .append("</td><td>").append(pairedEnd(pattern.second())).append("</td><td class=\"n\">")
                    .append(Summary.formatDuration(pattern.second().firstMicros() - pattern.first().firstMicros()))
                    .append("</td></tr>");
        }
        out.append("</tbody></table></section>\n");
    }

    private static String pairedEnd(Summary.PairedEnd end) {
        StringBuilder d = new StringBuilder();
        d.append("<b>").append(escape(end.api() + " " + String.join(", then ", end.ops()))).append("</b>")
                .append(end.closed() ? "" : " (no close logged)").append("<br>")
                .append("<span class=\"how\" style=\"color:").append(colour(end.how() == null ? Summary.UNKNOWN : end.how()))
                .append("\">").append(escape(String.valueOf(end.how()))).append("</span>, cause ")
                .append(escape(end.cause() == null ? Summary.NO_CAUSE : end.cause())).append(", initiator ")
                .append(escape(String.valueOf(end.initiator())));
        if (end.pendingIn() != null && end.pendingIn() > 0) {
            d.append(", ").append(Wording.bytes(end.pendingIn())).append(" unread");
        }
        if (end.pendingOut() != null && end.pendingOut() > 0) {
            d.append(", ").append(Wording.bytes(end.pendingOut())).append(" unsent");
        }
        d.append("<br><small>").append(escape(Wording.side(end.role()))).append(' ').append(escape(end.local())).append(" (pid ").append(end.pid()).append(") at <code>")
                .append(escape(end.caller() == null ? Summary.JDK_ONLY_CALLER : end.caller())).append("</code></small>");
        return d.toString();
    }

    private void axis(int left, int top, int width, int height, long max) {
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", left, top + height,
                left + width, top + height));
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", left, top, left,
                top + height));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"label\">%s</text>", left - 6,
                top + 10, Wording.number(max)));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"label\">0</text>", left - 6,
                top + height));
    }

    private void text(int x, int y, String anchor, String label) {
        out.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"").append(anchor)
                .append("\" class=\"label\">").append(escape(label)).append("</text>");
    }

    private static String callerWithStack(String caller, List<String> stack) {
        if (stack.isEmpty()) {
            return "<code>" + escape(caller) + "</code>";
        }
        StringBuilder html = new StringBuilder("<details><summary><code>").append(escape(caller)).append("</code></summary><pre>");
        stack.forEach(frame -> html.append("at ").append(escape(frame)).append('\n'));
        return html.append("</pre></details>").toString();
    }

    private static String rankingNote(Summary.Ranking<?> ranking) {
        String note = "<p class=\"note\">" + (ranking.top().size() < ranking.distinct()
                ? "Top " + ranking.top().size() + " of " + Wording.number(ranking.distinct()) + "."
                : Wording.number(ranking.distinct()) + " in all.");
        if (ranking.approximate()) {
            note += " Rare entries were folded to keep memory bounded: counts may be short by up to "
                    + Wording.number(ranking.maxUndercount()) + ".";
        }
        return note + "</p>";
    }

    /**
     * {@code Class.method(File.java:12)} without the package, and cut at the front if still too long,
     * so the chart's labels fit; the full caller is the label's tooltip.
     */
    private static String shortCaller(String caller) {
        int paren = caller.indexOf('(');
        String qualified = paren < 0 ? caller : caller.substring(0, paren);
        int method = qualified.lastIndexOf('.');
        int type = method < 0 ? -1 : qualified.lastIndexOf('.', method - 1);
        String label = caller.substring(type + 1);
        return label.length() <= CHART_LABEL_CHARS ? label : "\u2026" + label.substring(label.length() - CHART_LABEL_CHARS + 1);
    }

    private static List<String> orderedHows(List<String> hows) {
        List<String> ordered = new ArrayList<>();
        HOW_ORDER.stream().filter(hows::contains).forEach(ordered::add);
        hows.stream().filter(h -> !ordered.contains(h)).forEach(ordered::add);
        return ordered;
    }

    private static String colour(String how) {
        return HOW_COLOURS.getOrDefault(how, OTHER_COLOUR);
    }

    private static String numberCell(long n) {
        return "<td class=\"n\" data-sort=\"" + n + "\">" + Wording.number(n) + "</td>";
    }

    private static String counts(Map<String, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((key, n) -> parts.add(key + " " + Wording.number(n)));
        return String.join(", ", parts);
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> {
                    if (Wording.isBidiControl(c)) {
                        // Shown, not obeyed: an override would make the text read differently from what it holds.
                        escaped.append("<mark class=\"bidi\" title=\"bidirectional control character\">[U+")
                                .append(String.format(Locale.ROOT, "%04X", (int) c)).append("]</mark>");
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }
}
