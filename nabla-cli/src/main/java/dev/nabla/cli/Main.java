package dev.nabla.cli;

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
            PredictCommand.class,
            SummaryCommand.class,
            GdCommand.class,
            OptimizeCommand.class,
            ExplainCommand.class,
            DiagnoseCommand.class,
            LrFindCommand.class,
            CurvesCommand.class,
            CourseCommand.class,
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
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
