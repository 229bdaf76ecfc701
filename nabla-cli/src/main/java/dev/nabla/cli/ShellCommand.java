package dev.nabla.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jdk.jshell.tool.JavaShellToolBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nabla shell}: JShell with nabla on the class path, the Vector API module, the usual
 * imports and the {@link Shell} helpers ({@code show}, {@code plot}); {@code nabla shell
 * FILE.jsh} runs a notebook and exits, with status 1 at the first snippet that fails.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"JShell with nabla loaded: the packages imported, show(tensor) and plot(...) (PNG files under out/shell).",
                "With a FILE.jsh: run that notebook and exit (status 1 at the first failing snippet)."})
public final class ShellCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE.jsh", description = "a notebook to run (see examples/notebooks/)")
    Path file;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw UserError.usage("no notebook " + file + " (give a .jsh file, e.g. examples/notebooks/batchnorm.jsh)");
            }
            // the notebook's snippets run in this JVM and print to System.out: send that to the command's output
            PrintStream stdout = System.out;
            System.setOut(Streams.out(command));
            try {
                return NotebookRunner.run(file, Streams.err(command));
            } finally {
                System.setOut(stdout);
            }
        }
        Path startup = Files.createTempFile("nabla-startup", ".jsh");
        try {
            Files.writeString(startup, NotebookRunner.startup() + "System.out.println(\"nabla shell: dev.nabla.* imported;"
                    + " show(tensor), plot(title, x, y); /exit to leave\");\n");
            return JavaShellToolBuilder.builder().start("--class-path", System.getProperty("java.class.path"),
                    "--add-modules", "jdk.incubator.vector", "--execution", "local", "--startup", "DEFAULT", "--startup",
                    startup.toString());
        } catch (IOException e) {
            throw UserError.failure(e.getMessage());
        } finally {
            Files.deleteIfExists(startup);
        }
    }
}
