package dev.nabla.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code nabla} command: entry point of the command-line tool, run through {@code ./nabla}.
 *
 * <p>To add a subcommand, write a {@code @Command} class in this package and list it in
 * {@code subcommands} below. Commands print through picocli's streams
 * ({@code spec.commandLine().getOut()/getErr()}) and leave errors to {@link Errors}: throw a
 * {@link UserError} (or let the exception fly) rather than print and return a code.
 */
@Command(
        name = "nabla",
        mixinStandardHelpOptions = true,
        versionProvider = About.class,
        description = "nabla: tensors, reverse-mode autodiff and neural-network training on the JVM.",
        subcommands = {
            InfoCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            PredictCommand.class,
            SummaryCommand.class,
            GdCommand.class,
            OptimizeCommand.class,
            ExplainCommand.class,
            DiagnoseCommand.class,
            LrFindCommand.class,
            CurvesCommand.class,
            CourseCommand.class,
            ExportCommand.class,
            ImportCommand.class,
            ShellCommand.class,
            PlaygroundCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "on an error, also print the Java stack trace (or set NABLA_DEBUG=1)")
    boolean debug;

    /** The writer over System.out that {@link #commandLine()} installs (see {@link Streams}). */
    PrintWriter stdout;

    /** Without a subcommand, {@code nabla} prints its usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Returns a fresh command line for {@code nabla}, ready to {@link CommandLine#execute execute}.
     *
     * @return the configured command line
     */
    public static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cmd = new CommandLine(main);
        PrintStream out = System.out;
        main.stdout = new PrintWriter(new OutputStreamWriter(out, out.charset()), true);
        cmd.setOut(main.stdout);
        cmd.setErr(new PrintWriter(new OutputStreamWriter(System.err, System.err.charset()), true));
        Errors errors = new Errors();
        cmd.setExecutionExceptionHandler(errors);
        cmd.setParameterExceptionHandler(errors);
        // picocli hands only Exceptions to the handler: wrap Errors (out of memory, a failed static initializer)
        cmd.setExecutionStrategy(parsed -> {
            try {
                return new RunLast().execute(parsed);
            } catch (OutOfMemoryError | ExceptionInInitializerError e) {
                throw new ExecutionException(last(parsed), e.toString(), e);
            }
        });
        return cmd;
    }

    private static CommandLine last(ParseResult parsed) {
        var all = parsed.asCommandLineList();
        return all.get(all.size() - 1);
    }

    /**
     * Runs {@code nabla} with the given arguments and exits with picocli's exit code
     * (0 success, 1 the command failed, 2 a usage error; see {@link Errors}).
     *
     * @param args the command-line arguments
     */
    // The kernel provider logs its choice at INFO; the command shows it in `nabla info` and keeps
    // its output clean otherwise (a WARNING, e.g. the scalar fallback, still shows). Held here:
    // java.util.logging keeps loggers only weakly.
    private static final Logger NABLA_LOG = Logger.getLogger("dev.nabla");

    static {
        NABLA_LOG.setLevel(Level.WARNING); // before any command (or a test running one in-process) loads the kernels
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
