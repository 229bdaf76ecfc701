package dev.nabla.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that is missing, truncated or not in the expected format. The message is
 * {@code "<file>: <problem>"}, where the problem says what was expected, what was found and how
 * to fix it; {@link #file()} and {@link #problem()} give the two parts.
 */
public class DataFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /** A problem with {@code file}, described by {@code problem} (without the file name). */
    public DataFileException(Path file, String problem) {
        this(file, problem, null);
    }

    /** As {@link #DataFileException(Path, String)}, with the exception that revealed it. */
    public DataFileException(Path file, String problem, Throwable cause) {
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
