package dev.nabla.bench;

import java.util.function.Consumer;

/**
 * A command line the bench's tools refuse (the message names the argument and what is expected):
 * {@link #main} prints it on one line and exits with status 2 instead of a stack trace; any other
 * exception keeps its stack trace.
 */
final class Usage extends IllegalArgumentException {
    Usage(String message) {
        super(message);
    }

    /** Runs a tool's body on its arguments, a refused command line ending the JVM with status 2. */
    static void main(String[] args, Consumer<String[]> body) {
        try {
            body.accept(args);
        } catch (Usage e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
