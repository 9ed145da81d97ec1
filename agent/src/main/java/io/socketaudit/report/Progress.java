package io.socketaudit.report;

import java.io.PrintStream;

/**
 * A progress line on standard error while large logs are read, only when someone is watching a
 * console: redirected runs and scripts get no carriage returns in their output.
 */
final class Progress implements Analysis.ProgressListener {

    /** Below this, reading takes a moment and a progress line would only flicker. */
    private static final long LARGE_INPUT_BYTES = 64L * 1024 * 1024;

    private static final Analysis.ProgressListener SILENT = new Analysis.ProgressListener() {
        @Override
        public void update(long bytesRead, long totalBytes) {
        }

        @Override
        public void finish() {
        }
    };

    private final PrintStream err;
    private int shownPercent = -1;

    private Progress(PrintStream err) {
        this.err = err;
    }

    static Analysis.ProgressListener onConsole(PrintStream err) {
        return System.console() != null ? new Progress(err) : SILENT;
    }

    @Override
    public void update(long bytesRead, long totalBytes) {
        if (totalBytes < LARGE_INPUT_BYTES) {
            return;
        }
        int percent = (int) Math.min(100, bytesRead * 100 / totalBytes);
        if (percent == shownPercent) {
            return;
        }
        shownPercent = percent;
        err.print("\rsocket-audit report: reading " + percent + "% of " + Wording.bytes(totalBytes));
        err.flush();
    }

    @Override
    public void finish() {
        if (shownPercent >= 0) {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
        }
    }
}
