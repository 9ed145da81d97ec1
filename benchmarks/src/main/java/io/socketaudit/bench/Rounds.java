package io.socketaudit.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alternating runs: per configuration and round, the measured rate and how much CPU other processes used during
 * that run's window. Pairs each run with the base configuration's run of the same round, so a failed run
 * leaves out its round only.
 */
final class Rounds {

    private record Run(double rate, double otherCores) {
    }

    private final Map<String, Map<Integer, Run>> runs = new LinkedHashMap<>();

    void add(String config, int round, double rate, double otherCores) {
        runs.computeIfAbsent(config, k -> new TreeMap<>()).put(round, new Run(rate, otherCores));
    }

    /** The rates of one configuration, in round order. */
    List<Double> rates(String config) {
        List<Double> out = new ArrayList<>();
        runs.getOrDefault(config, Map.of()).values().forEach(r -> out.add(r.rate()));
        return out;
    }

    /** The other processes' cores of one configuration's runs, in round order. */
    List<Double> otherCores(String config) {
        List<Double> out = new ArrayList<>();
        runs.getOrDefault(config, Map.of()).values().forEach(r -> out.add(r.otherCores()));
        return out;
    }

    /** {@code config}'s rate over {@code base}'s in each round where both ran. */
    List<Double> paired(String config, String base) {
        return pairedWhere(config, base, Double.POSITIVE_INFINITY);
    }

    /**
     * {@code config}'s value minus {@code base}'s in each round where both ran: what a configuration adds, paired
     * round by round (e.g. CPU per connection), so a drift of the machine between rounds cancels out.
     */
    List<Double> differences(String config, String base) {
        List<Double> out = new ArrayList<>();
        Map<Integer, Run> baseRuns = runs.getOrDefault(base, Map.of());
        for (Map.Entry<Integer, Run> e : runs.getOrDefault(config, Map.of()).entrySet()) {
            Run b = baseRuns.get(e.getKey());
            if (b != null && Double.isFinite(b.rate()) && Double.isFinite(e.getValue().rate())) {
                out.add(e.getValue().rate() - b.rate());
            }
        }
        return out;
    }

    /**
     * As {@link #paired}, only for rounds where other processes used less than {@code maxOtherCores} during both
     * runs' windows: the rounds a shared machine left alone.
     */
    List<Double> pairedWhere(String config, String base, double maxOtherCores) {
        List<Double> out = new ArrayList<>();
        Map<Integer, Run> baseRuns = runs.getOrDefault(base, Map.of());
        for (Map.Entry<Integer, Run> e : runs.getOrDefault(config, Map.of()).entrySet()) {
            Run b = baseRuns.get(e.getKey());
            Run c = e.getValue();
            if (b != null && b.otherCores() < maxOtherCores && c.otherCores() < maxOtherCores) {
                double r = Stats.ratio(c.rate(), b.rate());
                if (!Double.isNaN(r)) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}
