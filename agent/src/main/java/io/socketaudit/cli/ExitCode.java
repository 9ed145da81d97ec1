package io.socketaudit.cli;

/** The command line's exit statuses, as the JDK's {@code jfr} tool has them. */
public enum ExitCode {
    /** The command did what was asked (a report counts the lines it could not read in itself). */
    OK(0),
    /** An input could not be read, an output not written, or the target not attached to. */
    FAILED(1),
    /** The command line itself was wrong. */
    WRONG_USAGE(2);

    private final int status;

    ExitCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
