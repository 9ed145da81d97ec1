package io.socketaudit.report;

import io.socketaudit.report.LogRecord.AgentError;
import io.socketaudit.report.LogRecord.AgentStart;
import io.socketaudit.report.LogRecord.AgentStop;
import io.socketaudit.report.LogRecord.Dropped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the agent said about itself, per process: events it dropped, its own errors, whether it
 * stopped normally, whether it could ask the kernel. A log with losses must say so up front.
 */
final class AgentHealth {

    private static final int MAX_ERROR_KINDS = 100;

    private static final class Process {
        long droppedFromLines;
        long droppedAtStop;
        long errorsAtStop;
        boolean started;
        boolean stopped;
        String kernelProbe;
        /** where + error → the highest count seen; each line carries a running count, not an increment. */
        final Map<List<String>, Long> errors = new LinkedHashMap<>();
    }

    private final Map<Long, Process> processes = new TreeMap<>();

    void start(AgentStart start) {
        Process p = process(start.pid());
        p.started = true;
        p.kernelProbe = start.kernelProbe();
    }

    void dropped(Dropped dropped) {
        process(dropped.pid()).droppedFromLines += dropped.count();
    }

    void error(AgentError error) {
        Process p = process(error.pid());
        List<String> kind = Arrays.asList(error.where(), error.error());
        if (p.errors.size() < MAX_ERROR_KINDS || p.errors.containsKey(kind)) {
            p.errors.merge(kind, error.count(), Math::max);
        }
    }

    void stop(AgentStop stop) {
        Process p = process(stop.pid());
        p.stopped = true;
        p.droppedAtStop = Math.max(p.droppedAtStop, stop.dropped() == null ? 0 : stop.dropped());
        p.errorsAtStop = Math.max(p.errorsAtStop, stop.agentErrors() == null ? 0 : stop.agentErrors());
    }

    Summary.Health summary() {
        long dropped = 0;
        long errorTotal = 0;
        List<Summary.AgentErrorRow> errors = new ArrayList<>();
        List<Long> withoutStop = new ArrayList<>();
        List<Summary.ProbeIssue> probeIssues = new ArrayList<>();
        for (Map.Entry<Long, Process> entry : processes.entrySet()) {
            long pid = entry.getKey();
            Process p = entry.getValue();
            // The stop line's total also covers losses whose dropped line never made it into the file.
            dropped += Math.max(p.droppedFromLines, p.droppedAtStop);
            long errorsInLines = 0;
            for (Map.Entry<List<String>, Long> error : p.errors.entrySet()) {
                errors.add(new Summary.AgentErrorRow(pid, error.getKey().get(0), error.getKey().get(1), error.getValue()));
                errorsInLines += error.getValue();
            }
            errorTotal += Math.max(errorsInLines, p.errorsAtStop);
            if (p.started && !p.stopped) {
                withoutStop.add(pid);
            }
            if (p.kernelProbe != null && !p.kernelProbe.equals("jni")) {
                probeIssues.add(new Summary.ProbeIssue(pid, p.kernelProbe));
            }
        }
        return new Summary.Health(dropped, errorTotal, errors, withoutStop, probeIssues);
    }

    private Process process(long pid) {
        return processes.computeIfAbsent(pid, id -> new Process());
    }
}
