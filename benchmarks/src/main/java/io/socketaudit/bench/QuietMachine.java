package io.socketaudit.bench;

import static io.socketaudit.bench.Harness.log;

/**
 * The rest of the machine, before each round: a shared machine's load comes and goes, and a round waits (within a
 * budget for the whole run) until others use little CPU, so that the rounds where someone else's build ran are not
 * most of them. Counts what it did, for the results' header.
 */
final class QuietMachine {

    private static final double QUIET_CORES = 0.2;
    /** A run counts as undisturbed when other processes used less than this during its measured window. */
    static final double QUIET_RUN_CORES = 0.1;

    /** {@code --quick}: rounds start at once. */
    private final boolean skip;
    /** Seconds the harness may still wait, in all, for the rest of the machine to be quiet before a round. */
    private double budgetSeconds;
    private int quietRounds;
    private int busyRounds;
    private double waitedSeconds;

    QuietMachine(boolean skip, double budgetSeconds) {
        this.skip = skip;
        this.budgetSeconds = budgetSeconds;
    }

    /**
     * Before a round, waits until the rest of the machine uses less than {@value #QUIET_CORES} cores (measured over
     * one second while this harness is idle), within what is left of the waiting budget ({@code --quiet-wait}
     * seconds for the whole run; 0 with {@code --quick}). A shared machine's load comes and goes; this keeps the
     * rounds where someone else's build ran from being most of them. A round still starts when the budget is spent.
     */
    void await(String what) throws InterruptedException {
        if (skip) {
            return;
        }
        while (true) {
            double busy = machineBusyCores(1000);
            if (busy < QUIET_CORES) {
                quietRounds++;
                return;
            }
            if (budgetSeconds <= 0) {
                busyRounds++;
                log(String.format("%s starts on a busy machine (%.2f cores used by others; waiting budget spent)", what, busy));
                return;
            }
            log(String.format("%s: others use %.2f cores, waiting", what, busy));
            Thread.sleep(4000);
            budgetSeconds -= 5;
            waitedSeconds += 5;
        }
    }

    /** The header's line on how the rounds started, when any waited. */
    void describe(StringBuilder b) {
        if (quietRounds + busyRounds > 0) {
            b.append("- Before each round of the churn, paced, persistent, close-path, start-up and server benchmarks (and each")
                    .append(" profiled run) the harness waited for the rest of")
                    .append(" the machine to use under ").append(QUIET_CORES).append(" cores: ").append(quietRounds)
                    .append(" rounds started quiet, ").append(busyRounds).append(" started busy (waiting budget spent); waited ")
                    .append(Md.num(waitedSeconds, 0)).append(" s in all\n");
        }
    }

    /** Cores busy on the whole machine (user + nice + system) over {@code millis}. */
    private static double machineBusyCores(long millis) throws InterruptedException {
        long a = CpuSample.now().busyTicks();
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long b = CpuSample.now().busyTicks();
        return a < 0 || b < 0 ? 0 : (b - a) * 1e7 / (System.nanoTime() - t0);
    }
}
