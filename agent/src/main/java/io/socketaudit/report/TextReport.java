package io.socketaudit.report;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code --format text}, the default: the summary for a terminal, problems first. Plain ASCII. */
final class TextReport {

    /** Frames shown per representative stack; the JSON and HTML reports show all. */
    private static final int STACK_FRAMES_SHOWN = 8;
    private static final String WARN = "!! ";

    private final Summary s;
    private final StringBuilder out = new StringBuilder();

    private TextReport(Summary summary) {
        this.s = summary;
    }

    static void write(Summary summary, Writer writer) throws IOException {
        TextReport report = new TextReport(summary);
        report.header();
        report.agentHealth();
        report.inputs();
        report.breakdowns();
        report.callSites();
        report.atRisk();
        report.endpoints();
        report.neverClosed();
        report.staleReuse();
        report.idleCloses();
        report.slowCloses();
        report.pairs();
        writer.write(report.out.toString());
    }

    private void header() {
        long lines = s.inputs().stream().mapToLong(Summary.InputFile::lines).sum();
        line("socket-audit report: " + Wording.plural(s.inputs().size(), "file") + ", " + Wording.plural(lines, "line"));
        if (s.firstMicros() != null) {
            line("  " + Summary.formatTime(s.firstMicros()) + " to " + Summary.formatTime(s.lastMicros())
                    + " (" + Summary.formatDuration(s.lastMicros() - s.firstMicros()) + ")");
        }
        line("");
    }

    private void agentHealth() {
        Summary.Health h = s.health();
        line("AGENT");
        if (h.droppedEvents() > 0) {
            line("  " + WARN + Wording.number(h.droppedEvents()) + " events DROPPED by the agent (its queue was full, or the log could not be written):"
                    + " every count below is short by up to that many.");
        }
        if (h.agentErrors() > 0) {
            line("  " + WARN + Wording.plural(h.agentErrors(), "agent error") + " (the app was not affected; those closes may be missing):");
            TextTable table = new TextTable("       ", "pid", "count", "where: error");
            h.errors().forEach(e -> table.add(e.pid(), Wording.number(e.count()), e.where() + ": " + e.error()));
            out.append(table.render());
        }
        for (long pid : h.pidsWithoutStop()) {
            line("  " + WARN + "pid " + pid + " has no agent_stop line: the app was still running, was killed,"
                    + " or the log was cut short.");
        }
        for (Summary.ProbeIssue issue : h.kernelProbeUnavailable()) {
            line("  " + WARN + "pid " + issue.pid() + ": kernel probe " + issue.kernelProbe()
                    + "; how, pendingIn, pendingOut and tcpState may be unknown.");
        }
        if (!h.lossy() && h.pidsWithoutStop().isEmpty() && h.kernelProbeUnavailable().isEmpty()) {
            line("  ok: no events dropped, no agent errors, every agent stopped normally.");
        }
        line("");
    }

    private void inputs() {
        line("INPUT");
        TextTable files = new TextTable("  ", "lines", "used", "file");
        for (Summary.InputFile input : s.inputs()) {
            List<String> runs = new ArrayList<>();
            for (Summary.AgentRun run : input.runs()) {
                runs.add("pid " + run.pid() + ", agent " + run.agentVersion() + ", JDK " + run.jdk()
                        + (run.part() == null ? "" : ", part " + run.part()));
            }
            files.add(Wording.number(input.lines()), Wording.number(input.records()),
                    input.name() + (input.gzip() ? " (gzip)" : "") + (runs.isEmpty() ? "" : "  [" + String.join("; ", runs) + "]"));
        }
        out.append(files.render());
        Summary.Problems p = s.problems();
        if (p.skippedLines() > 0) {
            line("  " + WARN + Wording.plural(p.skippedLines(), "line") + " skipped: " + Wording.skippedKinds(p));
        }
        if (!p.unknownEvents().isEmpty()) {
            line("  " + WARN + "events this report does not know (a newer agent?): " + counts(p.unknownEvents()));
        }
        if (!p.unknownFields().isEmpty()) {
            line("  " + WARN + "fields this report does not know, ignored (a newer agent?): " + counts(p.unknownFields()));
        }
        if (p.unresolvedStacks() > 0) {
            line("  " + WARN + Wording.plural(p.unresolvedStacks(), "event") + " refer to a stackId with no stack line before it");
        }
        for (String damage : p.damagedFiles()) {
            line("  " + WARN + damage);
        }
        for (Summary.ProblemExample example : p.examples()) {
            line("       " + example.file() + ":" + example.line() + " (" + example.kind() + "): " + example.excerpt());
        }
        line("");
    }

    private void breakdowns() {
        line("CLOSES AND SHUTDOWNS: " + Wording.number(s.socketEvents())
                + (s.notConnected() > 0 ? " (" + Wording.number(s.notConnected()) + " of listeners or unconnected sockets)" : ""));
        breakdown("api", s.byApi());
        breakdown("op", s.byOp());
        breakdown("how", s.byHow());
        breakdown("cause", s.byCause());
        breakdown("initiator", s.byInitiator());
        line("");
    }

    private void callSites() {
        Summary.Ranking<Summary.CallSite> sites = s.callSites();
        line("CALL SITES THAT CLOSE MOST" + rankingNote(sites) + "  (initiator: who ended the connection first)");
        if (sites.top().isEmpty()) {
            line("  none");
        } else {
            TextTable table = new TextTable("  ", "closes", "local", "peer", "unknown", "shutdowns", "caller");
            sites.top().forEach(c -> table.add(Wording.number(c.closes()), Wording.number(c.localInitiated()), Wording.number(c.peerInitiated()),
                    Wording.number(c.unknownInitiator()), Wording.number(c.shutdowns()), c.caller()));
            out.append(table.render());
        }
        line("");
    }

    private void atRisk() {
        Summary.AtRisk risk = s.atRisk();
        if (risk.closes() == 0) {
            line("AT RISK: none (no abortive close, no close with unread or unsent bytes)");
            line("");
            return;
        }
        line("AT RISK: " + Wording.plural(risk.closes(), "close") + " reset the connection or left bytes behind: "
                + Wording.number(risk.abortive()) + " abortive, " + Wording.bytes(risk.pendingInBytes()) + " unread, "
                + Wording.bytes(risk.pendingOutBytes()) + " unsent" + (risk.approximate() ? " (rare call sites folded: approximate)" : ""));
        for (Summary.AtRiskSite site : risk.sites()) {
            List<String> what = new ArrayList<>();
            Wording.addCount(what, site.abortive(), "abortive");
            if (site.withPendingIn() > 0) {
                what.add(Wording.plural(site.withPendingIn(), "close") + " with " + Wording.bytes(site.pendingInBytes()) + " unread");
            }
            if (site.withPendingOut() > 0) {
                what.add(Wording.plural(site.withPendingOut(), "close") + " with " + Wording.bytes(site.pendingOutBytes()) + " unsent");
            }
            line("  " + Wording.number(site.closes()) + " x " + site.caller());
            line("      " + String.join(", ", what) + "; cause " + counts(site.causes()));
            stack(site.stack());
        }
        line("");
    }

    private void endpoints() {
        Summary.Services services = s.services();
        line("SERVICES: closed connections by the accepting side's address" + rankingNote(services.ranking())
                + (services.closesWithoutSide() > 0 ? "; " + Wording.plural(services.closesWithoutSide(), "close")
                        + " without a known side (no open line) left out" : ""));
        if (services.ranking().top().isEmpty()) {
            line("  none");
        } else {
            TextTable table = new TextTable("  ", "connections", "abortive", "we", "service");
            services.ranking().top().forEach(e -> table.add(Wording.number(e.connections()), Wording.number(e.abortive()), e.side(), e.address()));
            out.append(table.render());
        }
        line("");
        Summary.Ranking<Summary.Endpoint> hosts = s.peerHosts();
        line("PEER HOSTS" + rankingNote(hosts));
        if (hosts.top().isEmpty()) {
            line("  none");
        } else {
            TextTable table = new TextTable("  ", "connections", "abortive", "host");
            hosts.top().forEach(e -> table.add(Wording.number(e.connections()), Wording.number(e.abortive()), e.endpoint()));
            out.append(table.render());
        }
        line("");
    }

    private void neverClosed() {
        Summary.NeverClosed never = s.neverClosed();
        if (never.leaks() == 0 && never.openAtExit() == 0) {
            line("NEVER CLOSED: none (no leak, nothing open at exit)");
            line("");
            return;
        }
        line("NEVER CLOSED: " + Wording.plural(never.leaks(), "connection") + " collected by the GC without a close (leaks), "
                + Wording.number(never.openAtExit()) + " still open when the JVM exited; by the code that opened them"
                + rankingNote(never.sites()));
        TextTable table = new TextTable("  ", "leaks", "open at exit", "opened at");
        never.sites().top().forEach(site -> table.add(Wording.number(site.leaks()), Wording.number(site.openAtExit()), site.caller()));
        out.append(table.render());
        line("");
    }

    private void staleReuse() {
        Summary.StaleReuse stale = s.diagnoses().staleReuse();
        if (stale.connections() == 0) {
            line("STALE KEEP-ALIVE REUSE: none found (no connection our side sent data on after the peer had finished it)");
            line("");
            return;
        }
        line("STALE KEEP-ALIVE REUSE: " + Wording.plural(stale.connections(), "connection") + " our side sent data on after the peer"
                + " had finished it (" + Wording.number(stale.confirmed()) + " confirmed by both ends' logs)");
        line("  evidence: " + IncidentDiagnoses.STALE_EVIDENCE);
        line("  the peer's idle timeout, estimated: at most " + Summary.formatDuration(stale.shortestPauseMs() * 1_000)
                + " (the shortest pause before a reuse)");
        for (Summary.IdleGroup peer : s.peerIdleCloses()) {
            line("  the peer's own log: it closed idle connections on " + peer.address() + " after "
                    + Summary.formatDuration(peer.shortestMs() * 1_000) + " idle at the shortest");
        }
        line("  advice: " + IncidentDiagnoses.STALE_ADVICE);
        TextTable table = new TextTable("  ", "connections", "confirmed", "shortest pause", "caller (of the close)");
        stale.sites().forEach(site -> table.add(Wording.number(site.connections()), Wording.number(site.confirmed()),
                Summary.formatDuration(site.shortestPauseMs() * 1_000), site.caller()));
        out.append(table.render());
        stale.examples().forEach(e -> example(e, "pause " + Summary.formatDuration(e.valueMs() * 1_000)
                + (e.byPair() ? ", confirmed by both logs" : "")));
        line("");
    }

    private void idleCloses() {
        Summary.IdleCloses idle = s.diagnoses().idleCloses();
        if (idle.closes() == 0) {
            line("IDLE CLOSES: none (no close our side made after " + Summary.formatDuration(idle.thresholdMs() * 1_000)
                    + " or more without data)");
            line("");
            return;
        }
        line("IDLE CLOSES: " + Wording.plural(idle.closes(), "close") + " our side made after at least "
                + Summary.formatDuration(idle.thresholdMs() * 1_000) + " without data either way");
        line("  evidence: " + IncidentDiagnoses.IDLE_EVIDENCE);
        TextTable table = new TextTable("  ", "closes", "shortest", "longest", "we", "service", "idle time");
        idle.groups().forEach(g -> table.add(Wording.number(g.closes()), Summary.formatDuration(g.shortestMs() * 1_000),
                Summary.formatDuration(g.longestMs() * 1_000), g.side(), g.address(), Summary.idleDistribution(g.buckets())));
        out.append(table.render());
        idle.examples().forEach(e -> example(e, "idle " + Summary.formatDuration(e.valueMs() * 1_000)));
        line("");
    }

    private void slowCloses() {
        Summary.SlowCloses slow = s.diagnoses().slowCloses();
        if (slow.closes() == 0) {
            line("SLOW CLOSE AFTER THE PEER LEFT: none (no close in CLOSE_WAIT with the idle times known)");
            line("");
            return;
        }
        line("SLOW CLOSE AFTER THE PEER LEFT: " + Wording.plural(slow.closes(), "close") + " in CLOSE_WAIT, worst first");
        line("  evidence: " + IncidentDiagnoses.SLOW_EVIDENCE);
        TextTable table = new TextTable("  ", "closes", "longest", "mean", "by both logs", "caller");
        slow.sites().forEach(site -> table.add(Wording.number(site.closes()), Summary.formatDuration(site.longestMs() * 1_000),
                Summary.formatDuration(site.meanMs() * 1_000), Wording.number(site.measuredByPair()), site.caller()));
        out.append(table.render());
        slow.examples().forEach(e -> example(e, "in CLOSE_WAIT " + (e.byPair() ? "" : "at most ")
                + Summary.formatDuration(e.valueMs() * 1_000)));
        line("");
    }

    private void example(Summary.Example e, String measure) {
        line("  e.g. " + e.local() + " -> " + e.remote() + " (pid " + e.pid() + ", conn " + e.conn() + ", " + e.file()
                + ") closed " + Summary.formatTime(e.timeMicros()) + ": " + measure);
    }

    private void pairs() {
        Summary.Pairing pairing = s.pairing();
        line("BOTH ENDS AUDITED: " + Wording.plural(pairing.pairs(), "connection") + " paired, "
                + Wording.plural(pairing.unpairedEnds(), "end") + " without the other end in the logs");
        for (Summary.PairPattern pattern : pairing.patterns()) {
            line("  " + Wording.plural(pattern.count(), "connection") + " ended this way"
                    + (pattern.initiatorsAgree() ? ":" : ":  " + WARN + "the ends disagree on who initiated"));
            line("      first: " + describe(pattern.first()));
            line("      then:  " + describe(pattern.second()) + ", "
                    + Summary.formatDuration(pattern.second().firstMicros() - pattern.first().firstMicros()) + " later");
        }
        if (pairing.pairsInOtherPatterns() > 0) {
            line("  " + Wording.number(pairing.pairsInOtherPatterns()) + " more pairs in other patterns");
        }
        line("");
    }

    private static String describe(Summary.PairedEnd end) {
        StringBuilder d = new StringBuilder();
        d.append(Wording.side(end.role())).append(' ').append(end.local()).append(' ').append(end.api()).append(' ').append(String.join(", then ", end.ops()));
        if (!end.closed()) {
            d.append(" (no close logged)");
        }
        d.append(": ").append(end.how()).append(", cause ").append(end.cause() == null ? Summary.NO_CAUSE : end.cause())
                .append(", initiator ").append(end.initiator());
        if (end.pendingIn() != null && end.pendingIn() > 0) {
            d.append(", ").append(Wording.bytes(end.pendingIn())).append(" unread");
        }
        if (end.pendingOut() != null && end.pendingOut() > 0) {
            d.append(", ").append(Wording.bytes(end.pendingOut())).append(" unsent");
        }
        d.append(" at ").append(end.caller() == null ? Summary.JDK_ONLY_CALLER : end.caller());
        return d.toString();
    }

    private void stack(List<String> frames) {
        int shown = Math.min(STACK_FRAMES_SHOWN, frames.size());
        for (int i = 0; i < shown; i++) {
            line("        at " + frames.get(i));
        }
        if (frames.size() > shown) {
            line("        ... " + (frames.size() - shown) + " more");
        }
    }

    private void breakdown(String name, Map<String, Long> counts) {
        line(String.format(Locale.ROOT, "  %-10s %s", name, counts(counts)));
    }

    private static String rankingNote(Summary.Ranking<?> ranking) {
        String note = " (" + (ranking.top().size() < ranking.distinct() ? "top " + ranking.top().size() + " of " : "")
                + Wording.number(ranking.distinct()) + ")";
        if (ranking.approximate()) {
            note += " approximate: counts may be short by up to " + Wording.number(ranking.maxUndercount());
        }
        return note;
    }

    private static String counts(Map<String, Long> counts) {
        if (counts.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((key, n) -> parts.add(key + " " + Wording.number(n)));
        return String.join(", ", parts);
    }

    private void line(String text) {
        out.append(terminalSafe(text)).append('\n');
    }

    /**
     * The text with every character a terminal would act on instead of print written as {@code \\uXXXX}: C0 and
     * C1 controls (escape sequences, NUL, line breaks), DEL, and the bidirectional formatting characters that make
     * a line read differently from what it holds. A log's strings come from the application, or from whoever wrote
     * the file.
     */
    static String terminalSafe(String text) {
        StringBuilder safe = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (actsOnTerminal(c)) {
                if (safe == null) {
                    safe = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                safe.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            } else if (safe != null) {
                safe.append(c);
            }
        }
        return safe == null ? text : safe.toString();
    }

    private static boolean actsOnTerminal(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || Wording.isBidiControl(c);
    }
}
