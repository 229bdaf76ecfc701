package dev.nabla.cli;

import dev.nabla.course.Course;
import dev.nabla.course.CourseProgram;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla course}: lists the course's programs (examples/course) and the course items other
 * commands reproduce; {@code nabla course NAME} runs one program, {@code nabla course all} every
 * one.
 */
@Command(name = "course", mixinStandardHelpOptions = true,
        description = {"The neural-networks course reproduced: without NAME, list the programs (and the commands that "
                + "cover the other items); with NAME, run that program; 'all' runs every one."})
public final class CourseCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "the program to run, or 'all'")
    String name;

    @Option(names = "--out", paramLabel = "DIR", description = "where plots go (default: out/course/NAME)")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintStream o = Streams.out(command);
        if (name == null) {
            o.println("The course's programs (./nabla course NAME runs one; sources in examples/course):");
            for (CourseProgram p : Course.programs()) o.printf("  %-24s %s%n", p.name(), p.title());
            o.println();
            o.println("Course items reproduced by other commands:");
            for (Course.Elsewhere e : Course.elsewhere()) o.printf("  %-58s %s%n", e.topic(), e.command());
            return 0;
        }
        if (name.equals("all")) {
            for (CourseProgram p : Course.programs()) {
                run(o, p);
                o.println();
            }
            return 0;
        }
        Optional<CourseProgram> p = Course.find(name);
        if (p.isEmpty()) {
            throw UserError.usage("no program '" + name + "'; run ./nabla course for the list");
        }
        run(o, p.get());
        return 0;
    }

    private void run(PrintStream o, CourseProgram p) throws IOException {
        o.println("== " + p.name() + ": " + p.title());
        p.run(o, out != null ? out : Path.of("out", "course", p.name()));
    }
}
