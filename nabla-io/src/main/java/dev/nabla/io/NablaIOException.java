package dev.nabla.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file exists but its content is wrong: truncated, corrupted, not in the expected format, or
 * missing a required part. The message is {@code "<file>: <problem>"}; {@link #file()} and
 * {@link #problem()} give the two parts.
 */
public class NablaIOException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /** A problem with {@code file}, described by {@code problem} (one sentence, no file name). */
    public NablaIOException(Path file, String problem) {
        this(file, problem, null);
    }

    /** As {@link #NablaIOException(Path, String)}, with the exception that revealed it. */
    public NablaIOException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file with the problem. */
    public Path file() {
        return file;
    }

    /** What is wrong with it, without the file name. */
    public String problem() {
        return problem;
    }
}
