package dev.nabla.cli;

import dev.nabla.Nabla;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code nabla info}: prints the nabla version, the Java runtime, the kernel provider and the
 * number of threads nabla computes with.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Print nabla's version, the Java runtime, the kernel provider and the thread count.")
public final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String[] kv : About.basics()) {
            out.println(About.line(kv[0], kv[1]));
        }
        Runtime rt = Runtime.getRuntime();
        out.println(About.line("threads", Nabla.threads() + " (of " + rt.availableProcessors() + " cores)"));
        out.println(About.line("heap", String.format("%.1f GiB max", rt.maxMemory() / (1024.0 * 1024 * 1024))));
        out.flush();
        return 0;
    }
}
