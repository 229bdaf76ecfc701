package dev.nabla.cli;

import dev.nabla.data.DataFileException;
import dev.nabla.io.spec.SpecException;
import dev.nabla.onnx.OnnxException;
import dev.nabla.train.NonFiniteException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How nabla reports what went wrong: every exception a command throws, and every command-line
 * mistake picocli finds, becomes one or two lines on stderr ("nabla train: FILE: what is wrong;
 * what to do") and an exit code (2 for usage, 1 for a failure). The Java stack trace is printed
 * only with {@code --debug} or {@code NABLA_DEBUG=1}, or as the last resort for an internal error.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    /** An exit code and the message to print after "nabla COMMAND: ". */
    record Report(int exitCode, String message) {}

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        // Errors (out of memory, a failed static initializer) reach us wrapped by Main's execution strategy
        Throwable t = ex instanceof CommandLine.ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
        Report r = report(t, mixin(cmd, SpecFile.class), mixin(cmd, OutputFolder.class));
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + r.message());
        if (debug(parsed)) t.printStackTrace(err);
        err.flush();
        return r.exitCode();
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + ex.getMessage());
        if (!UnmatchedArgumentException.printSuggestions(ex, err)) err.println("  see '" + name + " --help'");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** True when --debug was given to any command of the line, or NABLA_DEBUG is set (and not 0). */
    static boolean debug(ParseResult parsed) {
        String env = System.getenv("NABLA_DEBUG");
        if (env != null && !env.isEmpty() && !env.equals("0")) return true;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    // the command's mixin of the given type (its spec file, its output folder), or null
    private static <T> T mixin(CommandLine cmd, Class<T> type) {
        for (var mixin : cmd.getCommandSpec().mixins().values()) {
            if (type.isInstance(mixin.userObject())) return type.cast(mixin.userObject());
        }
        return null;
    }

    /**
     * The exit code and message for t; spec (or null) is the spec file the command read (it names
     * the file and knows the model's size), out (or null) its output folder.
     */
    static Report report(Throwable t, SpecFile spec, OutputFolder out) {
        if (t instanceof UserError u) return new Report(u.exitCode(), u.getMessage());
        if (t instanceof SpecException) return new Report(2, (spec != null ? spec.file + ": " : "") + t.getMessage());
        if (t instanceof UncheckedIOException && t.getCause() != null) return report(t.getCause(), spec, out);
        if (t instanceof ExceptionInInitializerError && t.getCause() != null) {
            return new Report(2, report(t.getCause(), spec, out).message()
                    + "\n  (a setting read when nabla starts: check the -D options, e.g. in NABLA_JAVA_OPTS)");
        }
        if (t instanceof OutOfMemoryError) return new Report(1, outOfMemory(spec));
        if (t instanceof NonFiniteException) return new Report(1, "training stopped: " + t.getMessage());
        if (t instanceof DataFileException || t instanceof OnnxException) return new Report(1, t.getMessage());
        if (isDiskFull(t)) {
            String file = t instanceof FileSystemException f && f.getFile() != null ? " while writing " + f.getFile() : "";
            return new Report(1, "the disk is full (no space left on device)" + file
                    + "\n  free some space, or write elsewhere with --out DIR; the files written before"
                    + (out != null && out.checkedDir != null ? " in " + out.checkedDir : "") + " are whole and kept");
        }
        if (t instanceof NoSuchFileException f) return new Report(1, f.getFile() + ": no such file or folder");
        if (t instanceof AccessDeniedException f) {
            return new Report(1, f.getFile() + ": permission denied; choose a folder you can write (--out DIR)");
        }
        if (t instanceof FileSystemException f && f.getReason() != null) {
            return new Report(1, f.getFile() + ": " + f.getReason().toLowerCase(Locale.ROOT));
        }
        if (t instanceof IOException || t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
            return new Report(1, t.getMessage());
        }
        return new Report(1, "internal error: " + t + "\n  this is a bug in nabla: run again with --debug and report the stack trace");
    }

    private static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c instanceof FileSystemException f ? f.getReason() : c.getMessage();
            if (m != null && m.contains("No space left on device")) return true;
        }
        return false;
    }

    // the heap's size, what the model needs if known, and a heap to ask for: twice the current one, or more if the model needs it
    private static String outOfMemory(SpecFile spec) {
        long max = Runtime.getRuntime().maxMemory();
        long needs = spec != null ? spec.trainingBytes() : -1;
        long suggest = (long) Math.ceil(Math.max(2.0 * max, 1.5 * needs) / (1L << 30));
        return String.format(Locale.ROOT, "out of memory: the Java heap (at most %s) is too small; %s"
                + "%n  give the JVM more, e.g. NABLA_JAVA_OPTS=-Xmx%dg ./nabla ..., or make the model or the batch smaller",
                bytes(max), spec != null ? spec.sizeHint() : "nabla had not read a model yet", Math.max(1, suggest));
    }

    /** A size in MiB below 1 GiB, else in GiB. */
    static String bytes(long b) {
        return b < (1L << 30) ? String.format(Locale.ROOT, "%d MiB", b >> 20) : String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
    }
}
