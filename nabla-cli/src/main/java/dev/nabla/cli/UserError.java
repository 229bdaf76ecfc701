package dev.nabla.cli;

/**
 * A mistake the user can fix, reported by {@link Errors} as one or two lines on stderr without a
 * stack trace: a usage error (exit code 2: a wrong option, file or spec) or a failure (exit code 1).
 */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    private UserError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** Something on the command line or in the spec is wrong: exit code 2. */
    static UserError usage(String message) {
        return new UserError(2, message);
    }

    /** The command could not do its work: exit code 1. */
    static UserError failure(String message) {
        return new UserError(1, message);
    }

    /** 2 for a usage error, 1 for a failure. */
    int exitCode() {
        return exitCode;
    }
}
