package dev.nabla.cli;

import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code nabla} command: entry point of the command-line tool, run through {@code ./nabla}.
 *
 * <p>To add a subcommand, write a {@code @Command} class in this package and list it in
 * {@code subcommands} below.
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
        return new CommandLine(new Main());
    }

    /**
     * Runs {@code nabla} with the given arguments and exits with picocli's exit code
     * (0 success, 1 the command failed, 2 a usage error).
     *
     * @param args the command-line arguments
     */
    // The kernel provider logs its choice at INFO; the command shows it in `nabla info` and keeps
    // its output clean otherwise (a WARNING, e.g. the scalar fallback, still shows). Held here:
    // java.util.logging keeps loggers only weakly.
    private static final Logger NABLA_LOG = Logger.getLogger("dev.nabla");

    public static void main(String[] args) {
        NABLA_LOG.setLevel(Level.WARNING);
        System.exit(commandLine().execute(args));
    }
}
