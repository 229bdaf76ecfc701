package dev.nabla.io;

import dev.nabla.data.DataFileException;
import java.nio.file.Path;

/**
 * A file exists but its content is wrong: truncated, corrupted, not in the expected format, or
 * missing a required part (weights, checkpoints). The message is {@code "<file>: <problem>"};
 * {@link #file()} and {@link #problem()} give the two parts, as for the core's data files.
 */
public class NablaIOException extends DataFileException {
    private static final long serialVersionUID = 1L;

    /** A problem with {@code file}, described by {@code problem} (one sentence, no file name). */
    public NablaIOException(Path file, String problem) {
        super(file, problem);
    }

    /** As {@link #NablaIOException(Path, String)}, with the exception that revealed it. */
    public NablaIOException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
